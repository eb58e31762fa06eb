/*
 * notes: glue between received mail and the store. A message is routed
 * to a circle, group and week (by plus-address, by a subject tag, or by
 * its sender's membership and date), stripped of quotes and signatures,
 * and filed as a summary, a note, or for review; notes are read back as
 * a weekly digest (Markdown and HTML) and as a group's Atom feed.
 */
#ifndef MINGLE_NOTES_H
#define MINGLE_NOTES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/inbound.h"

struct mg_store;

/*
 * Where an address or a subject tag points: the circle's key (its slug,
 * or "c<id>"), the group's position, the week, and whether the message
 * is marked as a summary. Zero/empty for what it does not say.
 */
struct mg_note_target {
    char circle[64];
    int group;
    int week;
    int summary;
};

/* "atlas+g2-w3@x.org", "atlas+g2-w3-summary@x.org", or a group's own
 * address "atlas-g2@x.org": 0 when it names a group, MG_ENOTFOUND. */
int mg_notes_parse_address(struct mg_note_target *out, const char *address);

/* "[Atlas G2 W3] ...", "Re: [atlas g2 w3 summary] ...": the first tag in
 * the subject that names a group; 0, or MG_ENOTFOUND. */
int mg_notes_parse_subject(struct mg_note_target *out, const char *subject);

enum mg_note_outcome {
    MG_NOTE_FILED,    /* published under its group and week */
    MG_NOTE_REVIEW,   /* kept for the coordinator */
    MG_NOTE_DUPLICATE /* stored before: nothing written */
};

struct mg_note;

/* The name to show for a note's sender: the member's name, the From
 * name, the address, or "unknown sender". Borrowed from `n`. */
const char *mg_notes_author(const struct mg_note *n);

/*
 * File message `m` received through `provider`: route, strip, store
 * (attachments kept up to `attachment_cap` bytes each), once in each
 * group the recipients' addresses name. A message is stored once per
 * group by its Message-ID, else the provider's event id, else a digest
 * of its sender, recipients, date, subject and text. A reply (prefix,
 * In-Reply-To or References) is a note; a summary is a new message from
 * the facilitator or organizer, or one sent to a "-summary" address.
 * *note_id is the first note (new or the earlier copy); *outcome FILED
 * if one was published, else REVIEW if one is new, else DUPLICATE.
 * Returns 0 or the store's error: the provider should be told to retry
 * (what was filed already is a duplicate then).
 */
int mg_notes_file(int64_t *note_id, enum mg_note_outcome *outcome,
                  struct mg_store *st, const char *provider,
                  const struct mg_inbound *m, size_t attachment_cap);

/*
 * Keep message `m` for the coordinator's review with `reason`, never
 * published: for mail mingle could not act on, such as a calendar REPLY
 * it cannot apply or one from the wrong sender. It is filed in circle
 * `circle_id` when nonzero (else where routing puts it), once, as
 * mg_notes_file() stores; outcome REVIEW or DUPLICATE.
 */
int mg_notes_hold(int64_t *note_id, enum mg_note_outcome *outcome,
                  struct mg_store *st, const char *provider,
                  const struct mg_inbound *m, size_t attachment_cap,
                  int64_t circle_id, const char *reason);

/*
 * The outbox dedupe key of circle `circle_id`'s digest of `week`,
 * "digest-<circle>-w<week>": whatever mails a week's digest queues it
 * under this key, and from then on the week's digest counts as sent.
 * (mingle has no digest sender yet, so until one is written no week's
 * digest is sent.)
 */
void mg_notes_digest_key(char *out, size_t n, int64_t circle_id, int week);
/* *sent: whether the digest of `week` has been queued to go out. */
int mg_notes_digest_sent(int *sent, struct mg_store *st, int64_t circle_id,
                         int week);

/*
 * Rewrite summary `note_id` as its author `participant_id` of circle
 * `circle_id` asks: the subject and the text replaced, the text kept as
 * a mailed one is (quotes and signature stripped). MG_ENOTFOUND unless
 * it is that person's own published summary in that circle;
 * MG_ECONFLICT once the digest of its week is sent. *week is the
 * summary's week (may be NULL).
 */
int mg_notes_summary_edit(int *week, struct mg_store *st, int64_t circle_id,
                          int64_t participant_id, int64_t note_id,
                          const char *subject, const char *text);

/*
 * The circle's digest for `week` (0: every week so far): for each group,
 * its summaries, then its members' notes, with the reading of the week.
 * *markdown and *html are the caller's (free()); either may be NULL when
 * not wanted. Every name, subject and text is escaped for its format.
 */
int mg_notes_digest(char **markdown, char **html, struct mg_store *st,
                    int64_t circle_id, int week, struct mg_error *err);
/*
 * The same digest's HTML without the document around it (its heading and
 * weeks, no <html>, <head> or <body>), appended to `into`: for a page
 * that shows the digest inside its own. Nothing is appended on failure.
 */
struct mg_html;
int mg_notes_digest_into(struct mg_html *into, struct mg_store *st,
                         int64_t circle_id, int week, struct mg_error *err);

/*
 * Group `group_id`'s published summaries as an Atom feed (RFC 4287),
 * newest first; `self_url` is the feed's own address. *out is the
 * caller's (free()).
 */
int mg_notes_atom(char **out, struct mg_store *st, int64_t circle_id,
                  int64_t group_id, const char *self_url, struct mg_error *err);

#endif
