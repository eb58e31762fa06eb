/*
 * atom.c: a group's published summaries as an Atom feed (RFC 4287),
 * newest first, written with libxml2's xmlTextWriter (which escapes for
 * XML; text is made valid UTF-8 without forbidden control characters
 * first). Ids are tag: URIs that never change for a note; the only link
 * is the feed's own address. The secret URL itself is http's business.
 */
#define _GNU_SOURCE
#include "mingle/notes.h"

#include "mingle/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlwriter.h>

#include "mingle/circle.h"
#include "mingle/store.h"

#include "banned.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
/* The year in every tag: URI; it never changes, or every id would. */
#define TAG_YEAR "2026"

/*
 * A copy of `s` that XML 1.0 accepts: invalid UTF-8 becomes U+FFFD and
 * control characters other than tab, newline and carriage return (and
 * U+FFFE, U+FFFF) are dropped. free() it.
 */
static char *xml_clean(const char *s)
{
    struct mg_buf b = MG_BUF_INIT;
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    while (*p) {
        unsigned char c = *p;
        size_t len = c < 0x80                 ? 1
                     : c >= 0xc2 && c <= 0xdf ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
        unsigned long cp;
        size_t i;

        if (len == 1) {
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                mg_buf_add(&b, p, 1);
            p++;
            continue;
        }
        if (len == 0) {
            mg_buf_puts(&b, "\xef\xbf\xbd");
            p++;
            continue;
        }
        cp = c & (0x7fu >> len);
        for (i = 1; i < len && (p[i] & 0xc0) == 0x80; i++)
            cp = (cp << 6) | (p[i] & 0x3f);
        if (i < len || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff) {
            mg_buf_puts(&b, "\xef\xbf\xbd");
            p += i;
            continue;
        }
        mg_buf_add(&b, p, len);
        p += len;
    }
    return mg_buf_detach(&b);
}

/* RFC 3339 in UTC: "2027-03-23T06:30:00Z". */
static void rfc3339(char *out, size_t size, int64_t t)
{
    mg_format_utc(out, size, t);
}

/*
 * The tag: authority: the host of the feed's address (lower case, no
 * port), so two installations do not mint the same ids; "mingle" when
 * the address has no usable host.
 */
static void authority(char *out, size_t size, const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    size_t n = 0;

    if (p) {
        p += 3;
        while (n + 1 < size &&
               ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                (p[n] >= '0' && p[n] <= '9') || p[n] == '-' || p[n] == '.')) {
            out[n] = (char)(p[n] >= 'A' && p[n] <= 'Z' ? p[n] + 32 : p[n]);
            n++;
        }
    }
    if (n == 0 || out[0] == '.' || out[0] == '-')
        n = (size_t)snprintf(out, size, "mingle");
    out[n] = '\0';
}

static int64_t published_at(const struct mg_note *n)
{
    return n->sent_at ? n->sent_at : n->received_at;
}

/* When the entry last changed: it arrived, or was approved. */
static int64_t updated_at(const struct mg_note *n)
{
    int64_t t = published_at(n);

    if (n->received_at > t)
        t = n->received_at;
    if (n->decided_at > t)
        t = n->decided_at;
    return t;
}

/* Newest first, then by id (newest first too). */
static int newest_first(const void *a, const void *b)
{
    const struct mg_note *x = a, *y = b;
    int64_t tx = published_at(x), ty = published_at(y);

    if (tx != ty)
        return tx > ty ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id;
}

/* <name>text</name>, the text cleaned; <0 on a writer error. */
static int element(xmlTextWriterPtr w, const char *name, const char *text)
{
    char *clean = xml_clean(text);
    int rc = xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST clean);

    free(clean);
    return rc;
}

static int write_entry(xmlTextWriterPtr w, const struct mg_note *n,
                       const char *host)
{
    char id[160], date[32], title[64];
    char *clean;
    int rc;

    snprintf(id, sizeof(id), "tag:%s," TAG_YEAR ":note-%lld", host,
             (long long)n->id);
    if (n->week > 0)
        snprintf(title, sizeof(title), _("Week %d summary"), n->week);
    else
        snprintf(title, sizeof(title), "%s", _("Summary"));
    rc = xmlTextWriterStartElement(w, BAD_CAST "entry");
    if (rc >= 0)
        rc = element(w, "id", id);
    if (rc >= 0)
        rc =
            element(w, "title", n->subject && *n->subject ? n->subject : title);
    rfc3339(date, sizeof(date), published_at(n));
    if (rc >= 0)
        rc = element(w, "published", date);
    rfc3339(date, sizeof(date), updated_at(n));
    if (rc >= 0)
        rc = element(w, "updated", date);
    if (rc >= 0)
        rc = xmlTextWriterStartElement(w, BAD_CAST "author");
    if (rc >= 0)
        rc = element(w, "name", mg_notes_author(n));
    if (rc >= 0)
        rc = xmlTextWriterEndElement(w);
    if (rc >= 0)
        rc = xmlTextWriterStartElement(w, BAD_CAST "content");
    if (rc >= 0)
        rc = xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "text");
    clean = xml_clean(n->body);
    if (rc >= 0)
        rc = xmlTextWriterWriteString(w, BAD_CAST clean);
    free(clean);
    if (rc >= 0)
        rc = xmlTextWriterEndElement(w);
    if (rc >= 0)
        rc = xmlTextWriterEndElement(w);
    return rc;
}

static int write_feed(xmlTextWriterPtr w, const struct mg_circle *c,
                      const struct mg_group_row *g, const struct mg_note *notes,
                      size_t n, const char *self_url)
{
    char host[128], id[200], date[32];
    char *title;
    int64_t updated =
        c->updated_at > g->updated_at ? c->updated_at : g->updated_at;
    size_t i;
    int rc;

    authority(host, sizeof(host), self_url);
    for (i = 0; i < n; i++)
        if (updated_at(&notes[i]) > updated)
            updated = updated_at(&notes[i]);
    snprintf(id, sizeof(id),
             "tag:%s," TAG_YEAR ":circle-%lld:group-%lld:"
             "summaries",
             host, (long long)c->id, (long long)g->id);
    /* TRANSLATORS: the circle's title, the group's name */
    title = mg_xasprintf(_("%s: %s summaries"), c->title, g->name);
    rfc3339(date, sizeof(date), updated);
    rc = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
    if (rc >= 0)
        rc = xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed",
                                         BAD_CAST ATOM_NS);
    if (rc >= 0)
        rc = xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang",
                                         BAD_CAST mg_i18n_lang());
    if (rc >= 0)
        rc = element(w, "id", id);
    if (rc >= 0)
        rc = element(w, "title", title);
    if (rc >= 0)
        rc = element(w, "updated", date);
    if (rc >= 0 && self_url && *self_url) {
        char *href = xml_clean(self_url);
        rc = xmlTextWriterStartElement(w, BAD_CAST "link");
        if (rc >= 0)
            rc =
                xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "self");
        if (rc >= 0)
            rc = xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href);
        if (rc >= 0)
            rc = xmlTextWriterEndElement(w);
        free(href);
    }
    if (rc >= 0) {
        rc = xmlTextWriterStartElement(w, BAD_CAST "generator");
        if (rc >= 0)
            rc = xmlTextWriterWriteAttribute(w, BAD_CAST "version",
                                             BAD_CAST MG_VERSION);
        if (rc >= 0)
            rc = xmlTextWriterWriteString(w, BAD_CAST "mingle");
        if (rc >= 0)
            rc = xmlTextWriterEndElement(w);
    }
    for (i = 0; rc >= 0 && i < n; i++)
        rc = write_entry(w, &notes[i], host);
    if (rc >= 0)
        rc = xmlTextWriterEndDocument(w);
    free(title);
    return rc;
}

int mg_notes_atom(char **out, struct mg_store *st, int64_t circle_id,
                  int64_t group_id, const char *self_url, struct mg_error *err)
{
    struct mg_circle *c = NULL;
    struct mg_group_row *groups = NULL, *g = NULL;
    struct mg_note *notes = NULL;
    struct mg_note_filter f;
    xmlBufferPtr buf = NULL;
    xmlTextWriterPtr w = NULL;
    size_t n_groups = 0, n = 0, i;
    char lang[MG_I18N_LANG_MAX];
    int rc = mg_store_circle_get(&c, st, circle_id);

    /* In the circle's language; the caller's thread keeps its own. */
    mg_i18n_switch(lang, rc == 0 ? mg_circle_language(c) : NULL);
    *out = NULL;
    if (rc == 0)
        rc = mg_store_groups_list(&groups, &n_groups, st, circle_id);
    for (i = 0; rc == 0 && i < n_groups; i++)
        if (groups[i].id == group_id)
            g = &groups[i];
    if (rc == 0 && !g) {
        mg_error_set(err, "group", "circle %lld has no group %lld",
                     (long long)circle_id, (long long)group_id);
        rc = MG_ENOTFOUND;
    }
    if (rc < 0)
        goto out;
    memset(&f, 0, sizeof(f));
    f.circle_id = circle_id;
    f.group_id = group_id;
    f.kind = "summary";
    rc = mg_store_notes_list(&notes, &n, st, &f);
    if (rc < 0)
        goto out;
    if (n > 1)
        qsort(notes, n, sizeof(*notes), newest_first);
    buf = xmlBufferCreate();
    w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        mg_error_set(err, "", "cannot start the feed's XML writer");
        rc = MG_EIO;
        goto out;
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    if (write_feed(w, c, g, notes, n, self_url) < 0) {
        mg_error_set(err, "", "cannot write the feed's XML");
        rc = MG_EIO;
        goto out;
    }
    /* Flushes into `buf`; the writer is done with it. */
    xmlFreeTextWriter(w);
    w = NULL;
    *out = mg_xstrndup((const char *)xmlBufferContent(buf),
                       (size_t)xmlBufferLength(buf));
out:
    if (w)
        xmlFreeTextWriter(w);
    if (buf)
        xmlBufferFree(buf);
    mg_store_notes_free(notes, n);
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
    mg_i18n_restore(lang);
    return rc;
}
