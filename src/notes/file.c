/*
 * file.c: where a received message belongs, and filing it. The address
 * ("atlas+g2-w3@..."), then a subject tag ("[Atlas G2 W3]"), then the
 * sender's own group say which circle and group; the week is the one
 * named, or the group's most recent call before the message was sent.
 * What cannot be placed, or comes from someone outside the group, waits
 * in the review queue: it is kept, never dropped and never published.
 */
#include "mingle/notes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/circle.h"
#include "mingle/people.h"
#include "mingle/store.h"

#include "banned.h"

/* "g12" -> 12 (with `prefix` 'g'); 0 when the token is not that. */
static int numbered(const char *tok, size_t len, char prefix)
{
    size_t i;
    int v = 0;

    if (len < 2 || len > 6 || tolower((unsigned char)tok[0]) != prefix)
        return 0;
    for (i = 1; i < len; i++) {
        if (!isdigit((unsigned char)tok[i]))
            return 0;
        v = v * 10 + (tok[i] - '0');
    }
    return v;
}

static int is_word(const char *tok, size_t len, const char *word)
{
    return len == strlen(word) && strncasecmp(tok, word, len) == 0;
}

/*
 * Read "g2", "w3" and "summary" tokens from `s` (length `len`) separated
 * by any of `seps`; 0 when every token is one of those and a group is
 * named.
 */
static int read_tokens(struct mg_note_target *t, const char *s, size_t len,
                       const char *seps)
{
    size_t i = 0;

    while (i < len) {
        size_t j = i;
        int v;

        while (j < len && !strchr(seps, s[j]))
            j++;
        if (j > i) {
            if ((v = numbered(s + i, j - i, 'g')) > 0 && !t->group)
                t->group = v;
            else if ((v = numbered(s + i, j - i, 'w')) > 0 && !t->week)
                t->week = v;
            else if (is_word(s + i, j - i, "summary"))
                t->summary = 1;
            else
                return MG_ENOTFOUND;
        }
        i = j + 1;
    }
    return t->group > 0 ? 0 : MG_ENOTFOUND;
}

static int set_circle(struct mg_note_target *t, const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len >= sizeof(t->circle))
        return MG_ENOTFOUND;
    for (i = 0; i < len; i++)
        t->circle[i] = (char)tolower((unsigned char)s[i]);
    t->circle[len] = '\0';
    return 0;
}

int mg_notes_parse_address(struct mg_note_target *out, const char *address)
{
    const char *at = address ? strchr(address, '@') : NULL;
    const char *plus, *dash;
    size_t local;

    memset(out, 0, sizeof(*out));
    if (!at)
        return MG_ENOTFOUND;
    local = (size_t)(at - address);
    plus = memchr(address, '+', local);
    if (plus) {
        /* circle+g2-w3-summary */
        if (set_circle(out, address, (size_t)(plus - address)) < 0 ||
            read_tokens(out, plus + 1, (size_t)(at - plus - 1), "-.") < 0) {
            memset(out, 0, sizeof(*out));
            return MG_ENOTFOUND;
        }
        return 0;
    }
    /* A group's own address: circle-g2, circle-g2-w3 (the circle's key
     * may hold dashes itself, so try each dash from the left). */
    for (dash = memchr(address, '-', local); dash;
         dash = memchr(dash + 1, '-', (size_t)(at - dash - 1))) {
        struct mg_note_target t;

        memset(&t, 0, sizeof(t));
        if (set_circle(&t, address, (size_t)(dash - address)) == 0 &&
            read_tokens(&t, dash + 1, (size_t)(at - dash - 1), "-") == 0) {
            *out = t;
            return 0;
        }
    }
    return MG_ENOTFOUND;
}

int mg_notes_parse_subject(struct mg_note_target *out, const char *subject)
{
    const char *p = subject;

    memset(out, 0, sizeof(*out));
    while (p && (p = strchr(p, '[')) != NULL) {
        const char *end = strchr(p, ']'), *sp;
        struct mg_note_target t;

        if (!end)
            break;
        memset(&t, 0, sizeof(t));
        p++;
        sp = p;
        while (sp < end && *sp != ' ')
            sp++;
        if (sp < end && set_circle(&t, p, (size_t)(sp - p)) == 0 &&
            read_tokens(&t, sp + 1, (size_t)(end - sp - 1), " ") == 0) {
            *out = t;
            return 0;
        }
        p = end + 1;
    }
    return MG_ENOTFOUND;
}

/* The circle a target's key names: its slug, "c<id>", or (for subject
 * tags, which people type) the first word of exactly one circle's title. */
static int find_circle(struct mg_circle **out, struct mg_store *st,
                       const char *key)
{
    struct mg_circle *list = NULL;
    size_t n = 0, i, hits = 0, at = 0;
    int rc = mg_store_circle_get_by_slug(out, st, key);

    if (rc != MG_ENOTFOUND)
        return rc;
    if (key[0] == 'c' && key[1] >= '1' && key[1] <= '9' &&
        strspn(key + 1, "0123456789") == strlen(key + 1))
        return mg_store_circle_get(out, st, strtoll(key + 1, NULL, 10));
    rc = mg_store_circle_list(&list, &n, st, 0, 0);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        const char *title = list[i].title;
        size_t len = strcspn(title, " :,.;-");

        if (len == strlen(key) && strncasecmp(title, key, len) == 0) {
            hits++;
            at = i;
        }
    }
    rc = MG_ENOTFOUND;
    if (hits == 1)
        rc = mg_store_circle_get(out, st, list[at].id);
    mg_store_circles_free(list, n);
    return rc;
}

/* The week of the group's most recent call at or before `t` (the first
 * week when `t` is before them all); 0 when it has none. */
static int week_at(struct mg_store *st, int64_t group_id, int64_t t)
{
    struct mg_session_row *s = NULL;
    size_t n = 0, i;
    int week = 0;
    int64_t best = 0;

    if (mg_store_sessions_for_group(&s, &n, st, group_id) < 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i].status == MG_STORE_SESSION_CANCELLED)
            continue;
        if (s[i].starts_at <= t && (!week || s[i].starts_at > best)) {
            week = s[i].week;
            best = s[i].starts_at;
        }
    }
    if (!week && n)
        week = s[0].week;
    free(s);
    return week;
}

/* Everything filing one message decides. */
struct placement {
    struct mg_note_target target;
    const char *recipient; /* the address that named the group */
    struct mg_circle *circle;
    struct mg_group_row *groups;
    size_t n_groups;
    const struct mg_group_row *group;
    const struct mg_member_hit *sender; /* in this circle, if any */
    char reason[160];
};

static void placement_release(struct placement *pl)
{
    mg_circle_free(pl->circle);
    mg_store_groups_free(pl->groups, pl->n_groups);
}

/* Which circle and group: address, subject tag, then membership. */
static int place(struct placement *pl, struct mg_store *st,
                 const struct mg_inbound *m, const struct mg_member_hit *hits,
                 size_t n_hits)
{
    const struct mg_member_hit *only = NULL;
    size_t i, grouped = 0;
    int rc, named = 0;

    for (i = 0; i < m->n_recipients && !named; i++) {
        if (mg_notes_parse_address(&pl->target, m->recipients[i]) == 0) {
            named = 1;
            pl->recipient = m->recipients[i];
        }
    }
    if (!named && m->subject &&
        mg_notes_parse_subject(&pl->target, m->subject) == 0)
        named = 1;
    if (named) {
        rc = find_circle(&pl->circle, st, pl->target.circle);
        if (rc == MG_ENOTFOUND) {
            snprintf(pl->reason, sizeof(pl->reason), "no circle called '%s'",
                     pl->target.circle);
            return 0;
        }
        if (rc < 0)
            return rc;
    } else {
        for (i = 0; i < n_hits; i++) {
            if (hits[i].active && hits[i].group_id) {
                grouped++;
                only = &hits[i];
            }
        }
        if (grouped != 1) {
            snprintf(pl->reason, sizeof(pl->reason), "%s",
                     grouped ? "the sender is in several groups and the "
                               "message names none"
                             : "the message names no group and the sender "
                               "is in none");
            return 0;
        }
        rc = mg_store_circle_get(&pl->circle, st, only->circle_id);
        if (rc < 0)
            return rc;
    }
    rc = mg_store_groups_list(&pl->groups, &pl->n_groups, st, pl->circle->id);
    if (rc < 0)
        return rc;
    for (i = 0; i < pl->n_groups; i++) {
        if (named ? pl->groups[i].position == pl->target.group
                  : pl->groups[i].id == only->group_id)
            pl->group = &pl->groups[i];
    }
    for (i = 0; i < n_hits; i++)
        if (hits[i].circle_id == pl->circle->id)
            pl->sender = &hits[i];
    if (!pl->group)
        snprintf(pl->reason, sizeof(pl->reason), "'%s' has no group %d",
                 pl->target.circle, pl->target.group);
    return 0;
}

/* Whether the sender may post to the group: a member of it, or the
 * circle's organizer. Fills the reason otherwise. */
static int may_post(struct placement *pl, const char *from)
{
    const char *org = pl->circle->organizer_email;

    if (pl->sender && pl->sender->active &&
        pl->sender->group_id == pl->group->id)
        return 1;
    if (org && from && strcasecmp(org, from) == 0)
        return 1;
    snprintf(pl->reason, sizeof(pl->reason), "%s",
             pl->sender ? "the sender is not a member of this group"
                        : "the sender is not in this circle");
    return 0;
}

/* A subject that says it is a summary: "Summary: ...", "Week 3 summary". */
static int subject_says_summary(const char *subject);

/* A reply ("Re: ...") is part of a conversation, even from a facilitator. */
static int is_reply(const struct mg_inbound *m)
{
    return (m->subject && strncasecmp(m->subject, "re:", 3) == 0) ||
           (m->in_reply_to && m->in_reply_to[0]);
}

static int subject_says_summary(const char *subject)
{
    const char *p;

    if (!subject)
        return 0;
    for (p = subject; *p; p++) {
        if (strncasecmp(p, "summary", 7) == 0 &&
            (p == subject || !isalnum((unsigned char)p[-1])) &&
            !isalnum((unsigned char)p[7]))
            return 1;
    }
    return 0;
}

int mg_notes_file(int64_t *note_id, enum mg_note_outcome *outcome,
                  struct mg_store *st, const char *provider,
                  const struct mg_inbound *m, size_t attachment_cap)
{
    struct mg_member_hit *hits = NULL;
    struct mg_note n;
    struct placement pl;
    size_t n_hits = 0, i;
    char *from = m->from_email ? mg_email_normalize(m->from_email) : NULL;
    int rc, duplicate = 0, published = 0;

    memset(&pl, 0, sizeof(pl));
    memset(&n, 0, sizeof(n));
    *note_id = 0;
    rc = from ? mg_store_members_by_email(&hits, &n_hits, st, from) : 0;
    if (rc == 0)
        rc = place(&pl, st, m, hits, n_hits);
    if (rc < 0)
        goto out;
    if (pl.group && may_post(&pl, from))
        published = 1;
    if (pl.circle)
        n.circle_id = pl.circle->id;
    if (pl.group) {
        n.group_id = pl.group->id;
        n.thread_id = pl.group->thread_id;
        n.week = pl.target.week
                     ? pl.target.week
                     : week_at(st, pl.group->id, m->date ? m->date : mg_now());
    }
    if (pl.sender)
        n.participant_id = pl.sender->participant_id;
    snprintf(n.kind, sizeof(n.kind), "%s",
             pl.target.summary || subject_says_summary(m->subject) ||
                     (pl.sender && pl.sender->facilitator && published &&
                      !is_reply(m))
                 ? "summary"
                 : "note");
    n.status = published ? MG_STORE_NOTE_PUBLISHED : MG_STORE_NOTE_REVIEW;
    n.review_reason = published ? NULL : pl.reason;
    n.provider = (char *)provider;
    n.event_id = m->event_id;
    n.message_id = m->message_id;
    n.in_reply_to = m->in_reply_to;
    n.from_name = m->from_name;
    n.from_email = from ? from : (char *)"";
    n.recipient = (char *)(pl.recipient      ? pl.recipient
                           : m->n_recipients ? m->recipients[0]
                                             : NULL);
    n.subject = m->subject;
    n.full_text = m->text;
    n.body = mg_mail_strip_reply(m->text ? m->text : "");
    if (!n.body[0] && m->stripped && m->stripped[0]) {
        free(n.body);
        n.body = mg_mail_strip_reply(m->stripped);
    }
    n.raw = m->raw;
    n.raw_len = m->raw_len;
    n.sent_at = m->date;
    n.received_at = mg_now();
    n.n_attachments = m->n_attachments;
    n.attachments = mg_xcalloc(m->n_attachments + 1, sizeof(*n.attachments));
    for (i = 0; i < m->n_attachments; i++) {
        const struct mg_attachment *a = &m->attachments[i];

        n.attachments[i].name = a->name;
        n.attachments[i].type = a->type;
        n.attachments[i].size = (int64_t)a->size;
        n.attachments[i].content =
            a->data && a->size <= attachment_cap ? a->data : NULL;
    }
    rc = mg_store_note_insert(note_id, &duplicate, st, &n);
    if (rc == 0)
        *outcome = duplicate   ? MG_NOTE_DUPLICATE
                   : published ? MG_NOTE_FILED
                               : MG_NOTE_REVIEW;
    free(n.body);
    free(n.attachments); /* the strings are m's */
out:
    placement_release(&pl);
    mg_store_member_hits_free(hits, n_hits);
    free(from);
    return rc;
}

void mg_notes_digest_key(char *out, size_t n, int64_t circle_id, int week)
{
    snprintf(out, n, "digest-%lld-w%d", (long long)circle_id, week);
}

int mg_notes_digest_sent(int *sent, struct mg_store *st, int64_t circle_id,
                         int week)
{
    char key[64];

    mg_notes_digest_key(key, sizeof(key), circle_id, week);
    return mg_store_outbox_has(sent, st, key);
}

int mg_notes_summary_edit(int *week, struct mg_store *st, int64_t circle_id,
                          int64_t participant_id, int64_t note_id,
                          const char *subject, const char *text)
{
    struct mg_note n;
    char *body = NULL;
    int sent = 0;
    int rc = mg_store_note_get(&n, st, note_id, 0);

    if (rc < 0)
        return rc;
    if (n.circle_id != circle_id || n.participant_id != participant_id ||
        strcmp(n.kind, "summary") != 0 || n.status != MG_STORE_NOTE_PUBLISHED)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_notes_digest_sent(&sent, st, circle_id, n.week);
    if (rc == 0 && sent)
        rc = MG_ECONFLICT;
    if (rc == 0) {
        body = mg_mail_strip_reply(text);
        rc = mg_store_note_revise(st, note_id, subject, body, text);
    }
    if (rc == 0 && week)
        *week = n.week;
    free(body);
    mg_store_note_release(&n);
    return rc;
}
