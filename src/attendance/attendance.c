/*
 * attendance.c: reading Zoom's and Teams' participant reports into one
 * list of people, their rejoins merged, and matching those people to a
 * group's members by email, then name. Storing the result is record.c's.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

enum kind {
    K_ZOOM,
    K_ZOOM_WEBINAR,
    K_TEAMS_ACTIVITY,
    K_TEAMS_PARTICIPANTS,
    K_TEAMS_OLD
};

/* The columns a report's header gives, -1 when absent. */
struct columns {
    enum kind kind;
    long name, email, join, leave, duration, action, timestamp;
    long attended;        /* Zoom webinar: "Yes" / "No" (no-shows are listed) */
    int duration_minutes; /* Zoom: whole minutes; Teams: "1h 2m 3s" */
};

/* One person while rows are read. */
struct person {
    struct mg_attendee a;
    char *key;
    int64_t seconds; /* the rows' durations added up */
    int64_t *spans;  /* join, leave pairs */
    size_t n_spans;
    int untimed;       /* a row without times: no overlap to take off */
    int64_t open_at;   /* old Teams: joined, not yet left (-1: none) */
    int64_t last_seen; /* old Teams: the person's latest event */
};

struct parse {
    struct person *people;
    size_t n, cap;
    size_t *slots; /* hash of keys to 1 + index into people */
    size_t n_slots;
    int64_t last_event; /* old Teams: the report's latest timestamp */
};

static void trim(char *s)
{
    size_t n = strlen(s), i = 0;

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = '\0';
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, n - i + 1);
}

/* Header cells compare in any case, around spaces. */
static long find_col(const struct att_record *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        const char *s = r->f[i];
        size_t n;
        while (*s == ' ')
            s++;
        n = strlen(s);
        while (n > 0 && s[n - 1] == ' ')
            n--;
        if (n == strlen(name) && strncasecmp(s, name, n) == 0)
            return (long)i;
    }
    return -1;
}

/* Which report `r` is the header of, if any. */
static int header_kind(struct columns *c, const struct att_record *r)
{
    memset(c, 0, sizeof(*c));
    c->email = c->join = c->leave = c->duration = -1;
    c->action = c->timestamp = c->attended = -1;
    /* Zoom's webinar attendee report: one header per section (host,
     * panelists, attendees), each starting "Attended,User Name (...)". */
    c->name = find_col(r, "User Name (Original Name)");
    c->attended = find_col(r, "Attended");
    if (c->name >= 0 && c->attended >= 0) {
        c->kind = K_ZOOM_WEBINAR;
        c->email = find_col(r, "Email");
        c->join = find_col(r, "Join Time");
        c->leave = find_col(r, "Leave Time");
        c->duration = find_col(r, "Time in Session (minutes)");
        c->duration_minutes = 1;
        if (c->join < 0 || c->leave < 0)
            c->join = c->leave = -1;
        return c->duration >= 0;
    }
    c->attended = -1;
    c->name = find_col(r, "Name (Original Name)");
    if (c->name >= 0) {
        c->kind = K_ZOOM;
        c->email = find_col(r, "User Email");
        if (c->email < 0)
            c->email = find_col(r, "Email");
        c->join = find_col(r, "Join Time");
        c->leave = find_col(r, "Leave Time");
        c->duration = find_col(r, "Duration (Minutes)");
        if (c->duration < 0)
            c->duration = find_col(r, "Total Duration (Minutes)");
        c->duration_minutes = 1;
        if (c->join < 0 || c->leave < 0)
            c->join = c->leave = -1;
        return c->duration >= 0;
    }
    c->name = find_col(r, "Name");
    c->email = find_col(r, "Email");
    if (c->name >= 0) {
        c->join = find_col(r, "Join Time");
        c->leave = find_col(r, "Leave Time");
        c->duration = find_col(r, "Duration");
        if (c->join >= 0 && c->leave >= 0 && c->duration >= 0) {
            c->kind = K_TEAMS_ACTIVITY;
            return 1;
        }
        c->join = find_col(r, "First Join");
        c->leave = find_col(r, "Last Leave");
        c->duration = find_col(r, "In-Meeting Duration");
        if (c->join >= 0 && c->leave >= 0 && c->duration >= 0) {
            c->kind = K_TEAMS_PARTICIPANTS;
            return 1;
        }
        return 0;
    }
    c->name = find_col(r, "Full Name");
    c->action = find_col(r, "User Action");
    c->timestamp = find_col(r, "Timestamp");
    if (c->name >= 0 && c->action >= 0 && c->timestamp >= 0) {
        c->kind = K_TEAMS_OLD;
        c->join = c->leave = c->duration = -1;
        return 1;
    }
    return 0;
}

static int read_int(const char **p, int max_digits, int *out)
{
    int n = 0, v = 0;

    while (isdigit((unsigned char)**p) && n < max_digits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return isdigit((unsigned char)**p) ? 0 : n;
}

/*
 * A report's date and time, as seconds of its own wall clock:
 * "03/23/2027 07:28:31 PM" (Zoom), "3/23/27, 7:28:31 PM" (Teams),
 * "2027-03-23 19:28:31", "23.03.2027 19:28". Slashes are month first
 * unless the first number is over 12; the times only matter relative
 * to each other, so a day-first report read consistently comes out right.
 */
static int parse_time(int64_t *out, const char *s)
{
    int a, b, y, h, mi, sec = 0, la, lb, ly, month, day, pm = -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char sep;

    while (*s == ' ')
        s++;
    if (isalpha((unsigned char)*s)) {
        /* Zoom's webinar reports: "Mar 16, 2027 19:00:31" */
        static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
        size_t k;
        for (k = 0; k < 12; k++)
            if (strncasecmp(s, months + 3 * k, 3) == 0)
                break;
        if (k == 12 || isalpha((unsigned char)s[3]))
            return MG_EINVAL;
        s += 3;
        while (*s == ' ')
            s++;
        month = (int)k + 1;
        if (!read_int(&s, 2, &day) || *s++ != ',')
            return MG_EINVAL;
        while (*s == ' ')
            s++;
        if (read_int(&s, 4, &y) != 4)
            return MG_EINVAL;
        goto clock;
    }
    la = read_int(&s, 4, &a);
    sep = *s;
    if (!la || (sep != '/' && sep != '-' && sep != '.'))
        return MG_EINVAL;
    s++;
    lb = read_int(&s, 2, &b);
    if (!lb || *s != sep)
        return MG_EINVAL;
    s++;
    ly = read_int(&s, 4, &y);
    if (!ly)
        return MG_EINVAL;
    if (la == 4) {
        if (sep != '-')
            return MG_EINVAL;
        month = b, day = y, y = a;
        if (ly > 2)
            return MG_EINVAL;
    } else {
        if (la > 2 || (ly != 2 && ly != 4))
            return MG_EINVAL;
        if (ly == 2)
            y += 2000;
        if (sep == '.' || (a > 12 && b <= 12))
            month = b, day = a;
        else
            month = a, day = b;
    }
clock:
    if (*s == ',')
        s++;
    if (*s != ' ' && *s != 'T')
        return MG_EINVAL;
    while (*s == ' ' || *s == 'T')
        s++;
    if (!read_int(&s, 2, &h) || *s++ != ':' || read_int(&s, 2, &mi) != 2)
        return MG_EINVAL;
    if (*s == ':') {
        s++;
        if (read_int(&s, 2, &sec) != 2)
            return MG_EINVAL;
    }
    while (*s == ' ')
        s++;
    if (strncasecmp(s, "AM", 2) == 0 || strncasecmp(s, "PM", 2) == 0) {
        pm = toupper((unsigned char)*s) == 'P';
        s += 2;
        while (*s == ' ')
            s++;
    }
    if (*s || y < 1971 || month < 1 || month > 12 || day < 1 ||
        day > mdays[month - 1] || mi > 59 || sec > 59)
        return MG_EINVAL;
    if (pm >= 0) {
        if (h < 1 || h > 12)
            return MG_EINVAL;
        h = h % 12 + (pm ? 12 : 0);
    } else if (h > 23) {
        return MG_EINVAL;
    }
    *out = mg_days_from_civil(y, month, day) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

/* Teams' "1h 2m 3s", "45m 10s", "30s" (also "1 hr 12 min", "01:02:03"). */
static int parse_duration(int64_t *out, const char *s)
{
    static const struct {
        const char *unit;
        int seconds;
    } units[] = {{"h", 3600},     {"hr", 3600},    {"hrs", 3600},
                 {"hour", 3600},  {"hours", 3600}, {"m", 60},
                 {"min", 60},     {"mins", 60},    {"minute", 60},
                 {"minutes", 60}, {"s", 1},        {"sec", 1},
                 {"secs", 1},     {"second", 1},   {"seconds", 1}};
    int64_t total = 0;
    int v, n = 0;
    size_t i;

    if (strchr(s, ':')) {
        int parts[3], k = 0;
        while (k < 3) {
            if (!read_int(&s, 3, &parts[k]))
                return MG_EINVAL;
            k++;
            if (*s != ':')
                break;
            s++;
        }
        if (*s || k < 2)
            return MG_EINVAL;
        for (i = 0; i < (size_t)k; i++)
            total = total * 60 + parts[i];
        *out = total;
        return 0;
    }
    for (;;) {
        char unit[8];
        size_t u = 0;
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (!read_int(&s, 6, &v))
            return MG_EINVAL;
        while (*s == ' ')
            s++;
        while (isalpha((unsigned char)*s) && u + 1 < sizeof(unit))
            unit[u++] = (char)tolower((unsigned char)*s++);
        unit[u] = '\0';
        if (isalpha((unsigned char)*s))
            return MG_EINVAL;
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcmp(unit, units[i].unit) == 0)
                break;
        if (i == sizeof(units) / sizeof(units[0]))
            return MG_EINVAL;
        total += (int64_t)v * units[i].seconds;
        n++;
    }
    if (!n)
        return MG_EINVAL;
    *out = total;
    return 0;
}

/* Zoom's whole minutes. */
static int parse_minutes(int64_t *out, const char *s)
{
    int v;

    if (!read_int(&s, 6, &v) || *s)
        return MG_EINVAL;
    *out = (int64_t)v * 60;
    return 0;
}

char *mg_attendance_name_key(const char *name)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t n = strlen(name);
    const char *p;

    /* Drop trailing "(...)" parts, unless nothing would be left. */
    for (;;) {
        size_t end = n, open;
        while (end > 0 && isspace((unsigned char)name[end - 1]))
            end--;
        if (end == 0 || name[end - 1] != ')')
            break;
        open = end - 1;
        while (open > 0 && name[open - 1] != '(')
            open--;
        if (open == 0)
            break;
        open--;
        p = name;
        while (p < name + open && isspace((unsigned char)*p))
            p++;
        if (p == name + open)
            break;
        n = open;
    }
    mg_buf_add(&b, "", 0);
    for (p = name; p < name + n; p++) {
        if (isspace((unsigned char)*p)) {
            if (b.len && b.data[b.len - 1] != ' ')
                mg_buf_add(&b, " ", 1);
            continue;
        }
        char ch = (*p & 0x80) ? *p : (char)tolower((unsigned char)*p);
        mg_buf_add(&b, &ch, 1);
    }
    if (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    return mg_buf_detach(&b);
}

static size_t hash_key(const char *s)
{
    size_t h = 1469598103934665603ULL & (size_t)-1;

    while (*s)
        h = (h ^ (unsigned char)*s++) * (size_t)1099511628211ULL;
    return h;
}

/* The person with `key`, made when new (slots grow at half full). */
static struct person *person_for(struct parse *ps, char *key, int *created)
{
    size_t i, h;

    if (2 * (ps->n + 1) > ps->n_slots) {
        size_t n_slots = ps->n_slots ? ps->n_slots * 2 : 64;
        free(ps->slots);
        ps->slots = mg_xcalloc(n_slots, sizeof(*ps->slots));
        ps->n_slots = n_slots;
        for (i = 0; i < ps->n; i++) {
            h = hash_key(ps->people[i].key) & (n_slots - 1);
            while (ps->slots[h])
                h = (h + 1) & (n_slots - 1);
            ps->slots[h] = i + 1;
        }
    }
    h = hash_key(key) & (ps->n_slots - 1);
    while (ps->slots[h]) {
        struct person *p = &ps->people[ps->slots[h] - 1];
        if (strcmp(p->key, key) == 0) {
            free(key);
            *created = 0;
            return p;
        }
        h = (h + 1) & (ps->n_slots - 1);
    }
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 32;
        ps->people = mg_xrealloc(ps->people, ps->cap * sizeof(*ps->people));
    }
    ps->slots[h] = ps->n + 1;
    memset(&ps->people[ps->n], 0, sizeof(ps->people[ps->n]));
    ps->people[ps->n].key = key;
    ps->people[ps->n].open_at = -1;
    *created = 1;
    return &ps->people[ps->n++];
}

static void add_span(struct person *p, int64_t from, int64_t to)
{
    p->spans = mg_xrealloc(p->spans, (p->n_spans + 1) * 2 * sizeof(int64_t));
    p->spans[2 * p->n_spans] = from;
    p->spans[2 * p->n_spans + 1] = to;
    p->n_spans++;
    if (!p->a.first_join || from < p->a.first_join)
        p->a.first_join = from;
    if (to > p->a.last_leave)
        p->a.last_leave = to;
}

static int cmp_span(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The time in the call: the rows' durations less any overlap of their
 * join-leave spans (someone on two devices at once). */
static void person_finish(struct person *p)
{
    int64_t total = p->seconds;

    if (!p->untimed && p->n_spans > 1) {
        int64_t covered = 0, summed = 0, start, end;
        size_t i;
        qsort(p->spans, p->n_spans, 2 * sizeof(int64_t), cmp_span);
        start = p->spans[0];
        end = p->spans[1];
        for (i = 0; i < p->n_spans; i++) {
            int64_t s = p->spans[2 * i], e = p->spans[2 * i + 1];
            summed += e - s;
            if (s > end) {
                covered += end - start;
                start = s;
                end = e;
            } else if (e > end) {
                end = e;
            }
        }
        covered += end - start;
        total -= summed - covered;
    }
    if (total < 0)
        total = 0;
    /* Nonsense times (years apart) must not wrap the int. */
    if (total > (int64_t)MG_ATTENDANCE_MAX_MINUTES * 60)
        total = (int64_t)MG_ATTENDANCE_MAX_MINUTES * 60;
    p->a.minutes = (int)((total + 30) / 60);
}

static const char *cell(const struct att_record *r, long col)
{
    return col >= 0 && (size_t)col < r->n ? r->f[col] : NULL;
}

/* Column `col` of row `r` read by `parse`; errors name the header's
 * column as the file spells it. */
static int read_cell(int64_t *out, const struct att_record *r,
                     const struct att_record *hdr, long col,
                     int (*parse)(int64_t *, const char *), const char *what,
                     struct mg_error *err)
{
    const char *v = cell(r, col);

    if (!v || !*v) {
        mg_error_set(err, hdr->f[col], "line %d: '%s' is %s", r->line,
                     hdr->f[col], v ? "empty" : "missing");
        return MG_EINVAL;
    }
    if (parse(out, v) < 0) {
        mg_error_set(err, hdr->f[col], "line %d: '%s' is not %s", r->line,
                     hdr->f[col], what);
        return MG_EINVAL;
    }
    return 0;
}

static int is_section_title(const struct att_record *r)
{
    const char *s = r->f[0];
    size_t i;

    while (*s == ' ')
        s++;
    for (i = 1; i < r->n; i++)
        if (r->f[i][0])
            return 0;
    if (!isdigit((unsigned char)*s))
        return 0;
    while (isdigit((unsigned char)*s))
        s++;
    return s[0] == '.' && s[1] == ' ';
}

/* "Host Details", "Panelist Details", "Attendee Details", "Other
 * Attended": a title alone on its row (the rest padding). */
static int is_zoom_section(const struct att_record *r)
{
    size_t n = strlen(r->f[0]), i;

    for (i = 1; i < r->n; i++)
        if (r->f[i][0])
            return 0;
    return (n > 8 && strcasecmp(r->f[0] + n - 8, " Details") == 0) ||
           strncasecmp(r->f[0], "Other Attended", 14) == 0;
}

static int is_blank(const struct att_record *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (r->f[i][0])
            return 0;
    return 1;
}

/* One data row into its person. */
static int take_row(struct parse *ps, const struct columns *c,
                    struct att_record *r, const struct att_record *hdr,
                    struct mg_error *err)
{
    const char *name, *email;
    int64_t join = 0, leave = 0, seconds = 0;
    struct person *p;
    char *key;
    size_t i;
    int created, rc;

    for (i = 0; i < r->n; i++)
        trim(r->f[i]);
    name = cell(r, c->name);
    email = cell(r, c->email);
    /* a webinar's registrant who never came ("No", times "--") */
    if (c->attended >= 0 && cell(r, c->attended) &&
        strcasecmp(cell(r, c->attended), "Yes") != 0)
        return 0;

    if (!name || !*name) {
        mg_error_set(err, hdr->f[c->name], "line %d: '%s' is %s", r->line,
                     hdr->f[c->name], name ? "empty" : "missing");
        return MG_EINVAL;
    }
    if (c->kind == K_TEAMS_OLD) {
        const char *action = cell(r, c->action);
        rc = read_cell(&join, r, hdr, c->timestamp, parse_time,
                       "a date and time like 3/23/2027, 7:28:31 PM", err);
        if (rc < 0)
            return rc;
        if (!action || (strcasecmp(action, "Joined") != 0 &&
                        strcasecmp(action, "Joined before") != 0 &&
                        strcasecmp(action, "Left") != 0)) {
            mg_error_set(err, hdr->f[c->action],
                         "line %d: '%s' is not Joined, Joined before or Left",
                         r->line, hdr->f[c->action]);
            return MG_EINVAL;
        }
    } else {
        rc = read_cell(
            &seconds, r, hdr, c->duration,
            c->duration_minutes ? parse_minutes : parse_duration,
            c->duration_minutes ? "a number" : "a duration like 1h 2m 3s", err);
        if (rc == 0 && c->join >= 0)
            rc = read_cell(&join, r, hdr, c->join, parse_time,
                           "a date and time like 03/23/2027 07:28:31 PM", err);
        if (rc == 0 && c->leave >= 0)
            rc = read_cell(&leave, r, hdr, c->leave, parse_time,
                           "a date and time like 03/23/2027 07:28:31 PM", err);
        if (rc < 0)
            return rc;
        if (c->join >= 0 && leave < join) {
            mg_error_set(err, hdr->f[c->leave], "line %d: '%s' is before '%s'",
                         r->line, hdr->f[c->leave], hdr->f[c->join]);
            return MG_EINVAL;
        }
    }
    if (email && *email) {
        char *norm = mg_email_normalize(email);
        key = mg_xasprintf("e:%s", norm);
        free(norm);
    } else {
        char *norm = mg_attendance_name_key(name);
        key = mg_xasprintf("n:%s", norm);
        free(norm);
    }
    p = person_for(ps, key, &created);
    if (created) {
        p->a.name = mg_xstrdup(name);
        p->a.email = email && *email ? mg_xstrdup(email) : NULL;
        p->a.line = r->line;
    }
    if (c->kind == K_TEAMS_OLD) {
        const char *action = cell(r, c->action);
        if (join < p->last_seen) {
            mg_error_set(err, hdr->f[c->timestamp],
                         "line %d: '%s' is before the person's previous one",
                         r->line, hdr->f[c->timestamp]);
            return MG_EINVAL;
        }
        p->last_seen = join;
        if (join > ps->last_event)
            ps->last_event = join;
        if (strcasecmp(action, "Left") != 0) {
            if (p->open_at < 0) {
                p->open_at = join;
                p->a.joins++;
            }
        } else if (p->open_at >= 0) {
            add_span(p, p->open_at, join);
            p->seconds += join - p->open_at;
            p->open_at = -1;
        }
        return 0;
    }
    p->a.joins++;
    p->seconds += seconds;
    if (c->join >= 0)
        add_span(p, join, leave);
    else
        p->untimed = 1;
    return 0;
}

/* The delimiter: TAB when the first line that starts like a header row
 * ("Name..." or "Full Name...") holds one. */
static char guess_delimiter(const char *text)
{
    const char *line = text;

    while (*line) {
        const char *end = strchr(line, '\n'), *s = line;
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (*s == '"')
            s++;
        if (strncasecmp(s, "Name", 4) == 0 ||
            strncasecmp(s, "Full Name", 9) == 0 ||
            strncasecmp(s, "Attended", 8) == 0)
            return memchr(line, '\t', n) ? '\t' : ',';
        if (!end)
            break;
        line = end + 1;
    }
    return ',';
}

static void parse_release(struct parse *ps)
{
    size_t i;

    for (i = 0; i < ps->n; i++) {
        free(ps->people[i].a.name);
        free(ps->people[i].a.email);
        free(ps->people[i].key);
        free(ps->people[i].spans);
    }
    free(ps->people);
    free(ps->slots);
}

int mg_attendance_parse(struct mg_attendance_report *out, const char *data,
                        size_t len, struct mg_error *err)
{
    struct mg_buf text = MG_BUF_INIT;
    struct att_record *recs = NULL;
    size_t n = 0, i, hdr = 0;
    struct columns c, best;
    struct parse ps;
    char delim;
    int found = 0, rc;

    memset(out, 0, sizeof(*out));
    memset(&best, 0, sizeof(best));
    memset(&ps, 0, sizeof(ps));
    if (len > MG_ATTENDANCE_MAX_INPUT) {
        mg_error_set(err, "csv", "the report is over %d bytes",
                     MG_ATTENDANCE_MAX_INPUT);
        return MG_ETOOBIG;
    }
    rc = att_decode(&text, data, len, err);
    delim = guess_delimiter(text.data);
    if (rc == 0)
        rc = att_split(&recs, &n, text.data, delim, err);
    if (rc < 0)
        goto out;
    /* Zoom's first header wins; for Teams, the activities (one row per
     * join) over the participants (one row per person). */
    for (i = 0; i < n; i++) {
        if (!header_kind(&c, &recs[i]))
            continue;
        if (!found ||
            (best.kind == K_TEAMS_PARTICIPANTS && c.kind == K_TEAMS_ACTIVITY)) {
            best = c;
            hdr = i;
            found = 1;
        }
        if (best.kind != K_TEAMS_PARTICIPANTS)
            break;
    }
    if (!found) {
        mg_error_set(err, "csv",
                     "line 1: not a participant report: no header row like "
                     "Zoom's 'Name (Original Name),User Email,Join Time,...' "
                     "or Teams' 'Name, First Join, Last Leave, ...'");
        rc = MG_EINVAL;
        goto out;
    }
    for (i = hdr + 1; i < n; i++) {
        struct att_record *r = &recs[i];
        size_t j;
        if (is_blank(r))
            continue;
        if (is_section_title(r))
            break;
        /* a webinar report's next section ("Attendee Details") and its
         * own header row */
        if (best.kind == K_ZOOM_WEBINAR) {
            if (header_kind(&c, r) && c.kind == K_ZOOM_WEBINAR) {
                best = c;
                hdr = i;
                continue;
            }
            if (is_zoom_section(r))
                continue;
        }
        for (j = recs[hdr].n; j < r->n; j++)
            if (r->f[j][0]) {
                mg_error_set(err, "csv",
                             "line %d: %zu fields where the header (line %d) "
                             "has %zu; quote a name that holds a %s",
                             r->line, r->n, recs[hdr].line, recs[hdr].n,
                             delim == '\t' ? "TAB" : "comma");
                rc = MG_EINVAL;
                goto out;
            }
        rc = take_row(&ps, &best, r, &recs[hdr], err);
        if (rc < 0)
            goto out;
    }
    out->format =
        best.kind == K_ZOOM || best.kind == K_ZOOM_WEBINAR ? "zoom" : "teams";
    out->people = mg_xcalloc(ps.n ? ps.n : 1, sizeof(*out->people));
    for (i = 0; i < ps.n; i++) {
        struct person *p = &ps.people[i];
        /* Old Teams: still in the call when the report was taken. */
        if (p->open_at >= 0) {
            add_span(p, p->open_at, ps.last_event);
            p->seconds += ps.last_event - p->open_at;
        }
        person_finish(p);
        out->people[i] = p->a;
        p->a.name = p->a.email = NULL;
    }
    out->n = ps.n;
out:
    parse_release(&ps);
    att_records_free(recs, n);
    mg_buf_release(&text);
    return rc;
}

void mg_attendance_report_release(struct mg_attendance_report *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n; i++) {
        free(r->people[i].name);
        free(r->people[i].email);
    }
    free(r->people);
    memset(r, 0, sizeof(*r));
}

int mg_attendance_is_present(int minutes, int call_minutes)
{
    int need = (call_minutes * MG_ATTENDANCE_PRESENT_SHARE + 99) / 100;

    return minutes >= (need > 1 ? need : 1);
}

/* The part in the last parentheses of `name`, or NULL. */
static char *inner_name(const char *name)
{
    const char *close = strrchr(name, ')'), *open;

    if (!close)
        return NULL;
    for (open = close; open > name && open[-1] != '('; open--)
        ;
    if (open == name || open == close)
        return NULL;
    return mg_xstrndup(open, (size_t)(close - open));
}

/* A member's name key or lower-cased address, and their index. */
struct keyed {
    char *key;
    size_t member;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    return x->member < y->member ? -1 : x->member > y->member;
}

/* The first entry of sorted `ix` with `key`, or -1. */
static long first_with(const struct keyed *ix, size_t n, const char *key)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(ix[lo].key, key) == 0 ? (long)lo : -1;
}

/* The one member whose name key is `key`, or -1 (none, or several). */
static long member_by_key(const struct keyed *ix, size_t n, const char *key)
{
    long at;

    if (!*key)
        return -1;
    at = first_with(ix, n, key);
    if (at < 0 || ((size_t)at + 1 < n && strcmp(ix[at + 1].key, key) == 0))
        return -1;
    return (long)ix[at].member;
}

/* The one member called `name`, also read as "Last, First". */
static long member_by_name(const struct keyed *ix, size_t n, const char *name)
{
    char *key = mg_attendance_name_key(name);
    const char *comma = strchr(key, ',');
    long m = member_by_key(ix, n, key);

    if (m < 0 && comma && !strchr(comma + 1, ',')) {
        const char *first = comma + 1;
        char *swapped;
        while (*first == ' ')
            first++;
        swapped = mg_xasprintf("%s %.*s", first, (int)(comma - key), key);
        m = member_by_key(ix, n, swapped);
        free(swapped);
    }
    free(key);
    return m;
}

/* `s` with ASCII letters lower-cased, as strcasecmp() compares. */
static char *ascii_lower(const char *s)
{
    char *out = mg_xstrdup(s ? s : "");
    char *p;

    for (p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

/*
 * Sorted indexes of the members' addresses and name keys, so that a
 * report of thousands against a plenary of thousands costs a sort and a
 * binary search per person, not a scan of every member for each.
 */
void mg_attendance_match(struct mg_attendance_match *out,
                         const struct mg_attendance_report *r,
                         const struct mg_participant *members, size_t n_members)
{
    struct keyed *names = mg_xcalloc(n_members + 1, sizeof(*names));
    struct keyed *mails = mg_xcalloc(n_members + 1, sizeof(*mails));
    size_t i, j;

    for (j = 0; j < n_members; j++) {
        names[j].key = mg_attendance_name_key(members[j].name);
        names[j].member = j;
        mails[j].key = ascii_lower(members[j].email);
        mails[j].member = j;
    }
    qsort(names, n_members, sizeof(*names), cmp_keyed);
    qsort(mails, n_members, sizeof(*mails), cmp_keyed);
    for (i = 0; i < r->n; i++) {
        const struct mg_attendee *a = &r->people[i];
        out[i].member = -1;
        out[i].by = MG_MATCH_NONE;
        if (a->email) {
            char *key = ascii_lower(a->email);
            /* the first member with the address, as a scan would find */
            long at = first_with(mails, n_members, key);
            free(key);
            if (at >= 0) {
                out[i].member = (long)mails[at].member;
                out[i].by = MG_MATCH_EMAIL;
            }
        }
        if (out[i].member < 0) {
            long m = member_by_name(names, n_members, a->name);
            char *inner = inner_name(a->name);
            if (m < 0 && inner)
                m = member_by_name(names, n_members, inner);
            if (m >= 0) {
                out[i].member = m;
                out[i].by = MG_MATCH_NAME;
            }
            free(inner);
        }
    }
    for (j = 0; j < n_members; j++) {
        free(names[j].key);
        free(mails[j].key);
    }
    free(names);
    free(mails);
}
