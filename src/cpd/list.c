/*
 * list.c: the Body of Knowledge areas and domains of practice a circle
 * may be tagged with (the shipped data/cpd/lianza-bok.txt, compiled in by
 * CMake, or the file MINGLE_CPD_BOK_FILE names), and the checks of a
 * circle's CPD settings against it.
 */
#include "mingle/cpd.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* build/generated/cpd_bok.c, from data/cpd/lianza-bok.txt */
extern const unsigned char mg_cpd_bok_shipped[];
extern const size_t mg_cpd_bok_shipped_len;

static void add_term(struct mg_cpd_term **terms, size_t *n, const char *id,
                     size_t id_len, const char *label, size_t label_len)
{
    *terms = mg_xrealloc(*terms, (*n + 1) * sizeof(**terms));
    (*terms)[*n].id = mg_xstrndup(id, id_len);
    (*terms)[*n].label = mg_xstrndup(label, label_len);
    (*n)++;
}

int mg_cpd_list_parse(struct mg_cpd_list *out, const char *text, size_t len,
                      struct mg_error *err)
{
    const char *p = text, *end = text + len;
    int line = 0, rc = 0;

    memset(out, 0, sizeof(*out));
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end, *kind, *id, *label;
        size_t kind_len, id_len, label_len;

        line++;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        while (e > p && isspace((unsigned char)e[-1]))
            e--;
        if (p == e || *p == '#')
            goto next;
        kind = p;
        while (p < e && !isspace((unsigned char)*p))
            p++;
        kind_len = (size_t)(p - kind);
        while (p < e && isspace((unsigned char)*p))
            p++;
        id = p;
        while (p < e && (isalnum((unsigned char)*p) || *p == '-'))
            p++;
        id_len = (size_t)(p - id);
        while (p < e && isspace((unsigned char)*p))
            p++;
        label = p;
        label_len = (size_t)(e - p);
        if (!id_len || !label_len || id == label ||
            !isspace((unsigned char)label[-1])) {
            mg_error_set(err, "line", "line %d: want 'area|domain ID LABEL'",
                         line);
            rc = MG_EINVAL;
        } else if (kind_len == 4 && memcmp(kind, "area", 4) == 0) {
            add_term(&out->areas, &out->n_areas, id, id_len, label, label_len);
        } else if (kind_len == 6 && memcmp(kind, "domain", 6) == 0) {
            add_term(&out->domains, &out->n_domains, id, id_len, label,
                     label_len);
        } else {
            mg_error_set(err, "line", "line %d: '%.*s' is not area or domain",
                         line, (int)kind_len, kind);
            rc = MG_EINVAL;
        }
    next:
        p = nl ? nl + 1 : end;
    }
    if (rc == 0 && !out->n_areas) {
        mg_error_set(err, "line", "the list has no area");
        rc = MG_EINVAL;
    }
    if (rc < 0)
        mg_cpd_list_release(out);
    return rc;
}

static void terms_free(struct mg_cpd_term *t, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(t[i].id);
        free(t[i].label);
    }
    free(t);
}

void mg_cpd_list_release(struct mg_cpd_list *l)
{
    if (!l)
        return;
    terms_free(l->areas, l->n_areas);
    terms_free(l->domains, l->n_domains);
    memset(l, 0, sizeof(*l));
}

static struct mg_cpd_list the_list;
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void list_init(void)
{
    struct mg_error err = {{0}, {0}};
    const char *path = getenv("MINGLE_CPD_BOK_FILE");

    if (path && *path) {
        FILE *f = fopen(path, "rb");
        struct mg_buf b = MG_BUF_INIT;
        char chunk[4096];
        size_t got;
        int rc = MG_EIO;

        if (f) {
            while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
                mg_buf_add(&b, chunk, got);
            rc = ferror(f) ? MG_EIO : 0;
            fclose(f);
        }
        if (rc == 0)
            rc =
                mg_cpd_list_parse(&the_list, b.data ? b.data : "", b.len, &err);
        mg_buf_release(&b);
        if (rc == 0)
            return;
        mg_log(MG_LOG_WARN, "cannot use the CPD list; using the shipped one",
               "path", path, "error", err.message[0] ? err.message : "unread",
               NULL);
    }
    if (mg_cpd_list_parse(&the_list, (const char *)mg_cpd_bok_shipped,
                          mg_cpd_bok_shipped_len, &err) < 0)
        abort(); /* the shipped file is checked by test_cpd */
}

const struct mg_cpd_list *mg_cpd_list(void)
{
    pthread_once(&list_once, list_init);
    return &the_list;
}

/* `s` without case, spaces or '-' into `out`. */
static void fold(char *out, size_t n, const char *s, size_t len)
{
    size_t i, k = 0;

    for (i = 0; i < len && k + 1 < n; i++)
        if (!isspace((unsigned char)s[i]) && s[i] != '-')
            out[k++] = (char)tolower((unsigned char)s[i]);
    out[k] = '\0';
}

static const struct mg_cpd_term *find_n(const struct mg_cpd_term *terms,
                                        size_t n, const char *id, size_t len)
{
    char want[64], have[64];
    size_t i;

    if (len >= sizeof(want))
        return NULL;
    fold(want, sizeof(want), id, len);
    if (!want[0])
        return NULL;
    for (i = 0; i < n; i++) {
        fold(have, sizeof(have), terms[i].id, strlen(terms[i].id));
        if (strcmp(want, have) == 0)
            return &terms[i];
    }
    return NULL;
}

const struct mg_cpd_term *mg_cpd_term_find(const struct mg_cpd_term *terms,
                                           size_t n, const char *id)
{
    return id ? find_n(terms, n, id, strlen(id)) : NULL;
}

int mg_cpd_ids_parse(char **field, const char *text,
                     const struct mg_cpd_term *terms, size_t n,
                     const char *name, struct mg_error *err)
{
    char *seen = mg_xcalloc(n ? n : 1, 1);
    struct mg_buf b = MG_BUF_INIT;
    const char *p = text ? text : "";
    size_t i;
    int rc = 0;

    while (*p && rc == 0) {
        size_t len = strcspn(p, ",;");
        const char *s = p, *e = p + len;
        const struct mg_cpd_term *t;

        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (e > s) {
            t = find_n(terms, n, s, (size_t)(e - s));
            if (!t) {
                mg_error_set(err, name, "'%s': '%.*s' is not in the list", name,
                             (int)(e - s > 60 ? 60 : e - s), s);
                rc = MG_EINVAL;
            } else {
                seen[t - terms] = 1;
            }
        }
        p += len;
        if (*p)
            p++;
    }
    if (rc == 0) {
        for (i = 0; i < n; i++)
            if (seen[i])
                mg_buf_printf(&b, "%s%s", b.len ? "," : "", terms[i].id);
        free(*field);
        *field = mg_xstrdup(b.data ? b.data : "");
    }
    mg_buf_release(&b);
    free(seen);
    return rc;
}

int mg_cpd_text_check(const char *text, const char *name, struct mg_error *err)
{
    const unsigned char *p;

    if (!text)
        return 0;
    if (strlen(text) > MG_CPD_TEXT_MAX) {
        mg_error_set(err, name, "'%s' is longer than %d bytes", name,
                     MG_CPD_TEXT_MAX);
        return MG_EINVAL;
    }
    for (p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            mg_error_set(err, name, "'%s' must be one line of text", name);
            return MG_EINVAL;
        }
    return 0;
}

static const char *const placeholders[] = {"discussed", "note",     "thread",
                                           "group",     "week",     "circle",
                                           "book",      "activity", NULL};

/* The placeholder `name` (`len` bytes) is one we know. */
static int known_placeholder(const char *name, size_t len)
{
    const char *const *k;

    for (k = placeholders; *k; k++)
        if (strlen(*k) == len && memcmp(*k, name, len) == 0)
            return 1;
    return 0;
}

int mg_cpd_prompt_check(const char *text, struct mg_error *err)
{
    const char *p;

    if (!text)
        return 0;
    if (strlen(text) > MG_CPD_PROMPT_MAX) {
        mg_error_set(err, "prompt", "'prompt' is longer than %d bytes",
                     MG_CPD_PROMPT_MAX);
        return MG_EINVAL;
    }
    for (p = text; *p; p++) {
        if ((unsigned char)*p < 0x20 && *p != '\n') {
            mg_error_set(err, "prompt", "'prompt' has a control character");
            return MG_EINVAL;
        }
        if (*p == '{') {
            const char *close = strchr(p, '}');

            if (!close || !known_placeholder(p + 1, (size_t)(close - p - 1))) {
                mg_error_set(err, "prompt",
                             "'prompt': unknown placeholder at '%.20s' (known: "
                             "{discussed} {note} {thread} {group} {week} "
                             "{circle} {book} {activity})",
                             p);
                return MG_EINVAL;
            }
            p = close;
        }
    }
    return 0;
}

void mg_cpd_settings_release(struct mg_cpd_settings *s)
{
    if (!s)
        return;
    free(s->areas);
    free(s->domains);
    free(s->title);
    free(s->provider);
    free(s->prompt);
    memset(s, 0, sizeof(*s));
}
