/*
 * jobs.c: a round of due jobs. Each job is checked against its call as
 * it is now (the call may have moved or been called off since the job
 * was made), expanded to the people it is for as they are now (members
 * who left, withdrew or turned reminders off get nothing), written, and
 * queued with one outbox dedupe key per person in the transaction that
 * marks the job done: a round killed half-way queues nothing, and a
 * round that runs again queues each mail once.
 */
#include "mingle/jobs.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/auth.h"
#include "mingle/calendar.h"
#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "banned.h"

/* A reminder for a call that began is late; what comes after a call is
 * late a day after it was due. */
#define FOLLOWUP_GRACE (24 * 60 * 60)
#define MAC_HEX 32 /* 128 bits of HMAC-SHA256 in a link */
/* A job that failed for a passing reason (the disk, the database) is
 * tried again a minute later, then two, four, ... at most an hour
 * apart, and given up (skipped, "failed") at its RETRY_ATTEMPTS-th
 * failure or, for a reminder, once its call has begun. */
#define RETRY_FIRST 60
#define RETRY_MAX_WAIT (60 * 60)
#define RETRY_ATTEMPTS 8

static atomic_uint_fast64_t total_sent, total_late;

void mg_jobs_totals(uint64_t *sent, uint64_t *late)
{
    *sent = (uint64_t)atomic_load(&total_sent);
    *late = (uint64_t)atomic_load(&total_late);
}

/* ---- offsets ---- */

int mg_jobs_offsets_parse(struct mg_reminder_settings *s, const char *text,
                          struct mg_error *err)
{
    const char *p = text ? text : "";

    s->n_offsets = 0;
    while (*p) {
        char *end;
        long v, unit = 1;
        size_t i;

        while (*p == ' ')
            p++;
        if (!isdigit((unsigned char)*p))
            goto bad;
        v = strtol(p, &end, 10);
        if (*end == 'm')
            end++;
        else if (*end == 'h')
            unit = 60, end++;
        else if (*end == 'd')
            unit = 24 * 60, end++;
        while (*end == ' ')
            end++;
        if (*end && *end != ',')
            goto bad;
        if (v <= 0 || v > 28L * 24 * 60 / unit) {
            mg_error_set(err, "offsets",
                         "'%s': each offset is from 1 minute to 28 days", text);
            return MG_EINVAL;
        }
        for (i = 0; i < s->n_offsets; i++)
            if (s->offsets[i] == (int)(v * unit)) {
                mg_error_set(err, "offsets", "'%s': an offset is repeated",
                             text);
                return MG_EINVAL;
            }
        if (s->n_offsets == MG_REMINDER_MAX_OFFSETS) {
            mg_error_set(err, "offsets", "at most %d offsets",
                         MG_REMINDER_MAX_OFFSETS);
            return MG_EINVAL;
        }
        s->offsets[s->n_offsets++] = (int)(v * unit);
        p = *end ? end + 1 : end;
    }
    return 0;
bad:
    mg_error_set(err, "offsets",
                 "'%s' is not a list of offsets such as 24h,1h or 90m",
                 text ? text : "");
    return MG_EINVAL;
}

void mg_jobs_offsets_format(char *out, size_t n,
                            const struct mg_reminder_settings *s)
{
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < s->n_offsets && used < n; i++) {
        int v = s->offsets[i];
        const char *sep = i ? "," : "";

        if (v % (24 * 60) == 0)
            used += (size_t)snprintf(out + used, n - used, "%s%dd", sep,
                                     v / (24 * 60));
        else if (v % 60 == 0)
            used +=
                (size_t)snprintf(out + used, n - used, "%s%dh", sep, v / 60);
        else
            used += (size_t)snprintf(out + used, n - used, "%s%dm", sep, v);
    }
}

/* ---- the "can't come" link ---- */

static void link_mac(char out[MAC_HEX + 1], const unsigned char *key,
                     int64_t participant_id, int64_t session_id)
{
    char msg[96];

    snprintf(msg, sizeof(msg), "reminder-link\n%lld\n%lld",
             (long long)participant_id, (long long)session_id);
    mg_auth_mac_hex(out, MAC_HEX, key, MG_KEY_LEN, msg);
}

int mg_jobs_cant_come_check(int64_t *circle_id, int64_t *starts_at,
                            struct mg_store *st, int64_t participant_id,
                            int64_t session_id, const char *mac)
{
    unsigned char key[MG_KEY_LEN];
    char want[MAC_HEX + 1];
    struct mg_session_row s;
    int rc = mg_store_key(key, st, "reminder-link");

    if (rc < 0)
        return rc;
    link_mac(want, key, participant_id, session_id);
    memset(key, 0, sizeof(key));
    /* hashed, then compared in constant time */
    if (!mac || !mg_auth_secret_equal(mac, want))
        return MG_ENOTFOUND;
    rc = mg_store_session_circle(circle_id, st, session_id);
    if (rc == 0)
        rc = mg_store_session_get(&s, st, *circle_id, session_id);
    if (rc == 0 && starts_at)
        *starts_at = s.starts_at;
    return rc;
}

int mg_jobs_cant_come(struct mg_store *st, int64_t participant_id,
                      int64_t session_id, const char *mac)
{
    int64_t circle_id = 0;
    int rc = mg_jobs_cant_come_check(&circle_id, NULL, st, participant_id,
                                     session_id, mac);

    if (rc == 0)
        rc = mg_calendar_rsvp_page(st, circle_id, participant_id, session_id,
                                   "declined");
    return rc;
}

int mg_jobs_sessions_added(struct mg_store *st, int64_t circle_id,
                           const int64_t *session_ids, size_t n)
{
    /* a few calls (a group added): theirs only; a whole plan: the
     * circle's in one statement per kind of job */
    if (n > 256)
        session_ids = NULL;
    return mg_store_jobs_sync(NULL, st, circle_id, session_ids, n, mg_now());
}

/* ---- a round ---- */

/* What a round keeps of the circle it last looked at (jobs come in due
 * order, so one circle's run together). */
struct circle_cache {
    struct mg_circle *circle;
    struct mg_span *same, *per_thread;
    size_t n_same, n_per_thread;
    unsigned char key[MG_KEY_LEN];
    struct mg_reminder_settings settings; /* as they are now */
};

static void cache_release(struct circle_cache *c)
{
    mg_circle_free(c->circle);
    mg_store_spans_free(c->same, c->n_same);
    mg_store_spans_free(c->per_thread, c->n_per_thread);
    memset(c, 0, sizeof(*c));
}

static int cache_load(struct circle_cache *c, struct mg_store *st,
                      int64_t circle_id)
{
    int rc;

    if (c->circle && c->circle->id == circle_id)
        return 0;
    cache_release(c);
    rc = mg_store_circle_get(&c->circle, st, circle_id);
    if (rc == 0)
        rc =
            mg_store_readings(&c->same, &c->n_same, st, circle_id, "same_pace");
    if (rc == 0)
        rc = mg_store_readings(&c->per_thread, &c->n_per_thread, st, circle_id,
                               "thread");
    if (rc == 0)
        rc = mg_store_key(c->key, st, "reminder-link");
    if (rc == 0)
        rc = mg_store_reminder_settings_get(&c->settings, st, circle_id);
    if (rc < 0)
        cache_release(c);
    return rc;
}

static const char *from_address(const struct mg_circle *c,
                                const struct mg_jobs_config *cfg)
{
    if (c->organizer_email && mg_email_valid(c->organizer_email))
        return c->organizer_email;
    if (cfg->mail_from && mg_email_valid(cfg->mail_from))
        return cfg->mail_from;
    return "mingle@localhost.invalid";
}

/* "Tue 2027-03-23 19:30 (Pacific/Auckland)" */
static void when_text(char *out, size_t n, const char *tz, int64_t t)
{
    char local[32];

    mg_schedule_local_text(local, sizeof(local), tz, t, ' ');
    snprintf(out, n, "%s (%s)", local[0] ? local : "?", tz);
}

static void reading_text(struct mg_buf *b, const struct circle_cache *c,
                         const struct mg_group_row *g, int week)
{
    const struct mg_span *r = mg_calendar_reading(
        c->same, c->n_same, c->per_thread, c->n_per_thread, g->thread_id, week);

    if (!r)
        return;
    if (r->parts > 1)
        mg_buf_printf(b, _("This week's reading: %s (part %d of %d)"),
                      r->first_title, r->part, r->parts);
    else if (strcmp(r->first_title, r->last_title) == 0)
        mg_buf_printf(b, _("This week's reading: %s"), r->first_title);
    else
        mg_buf_printf(b, _("This week's reading: %s ... %s"), r->first_title,
                      r->last_title);
    mg_buf_puts(b, "\n");
}

/*
 * What a round decided, written in one transaction at its end: each job
 * taken with its new status and the mails it queues (mails[first ..
 * first + n - 1]). One commit (one sync of the database) per round, not
 * per job; a job another round marked first queues nothing.
 */
struct pending {
    char *message;
    size_t len;
    char *recipient;
    char *subject;
    char dedupe[96];
};

struct decided {
    int64_t id;
    int64_t circle_id;
    enum mg_job_kind kind;
    enum mg_job_status status;
    const char *note;  /* static */
    int64_t retry_at;  /* status queued: tried again then */
    const char *error; /* static: why it is tried again */
    size_t first, n;   /* its mails */
    size_t late;       /* reminders not sent: the call had begun */
};

struct round {
    struct pending *mails;
    size_t n_mails, cap_mails;
    struct decided *jobs;
    size_t n_jobs, cap_jobs;
    int64_t now;
};

static void round_release(struct round *R)
{
    size_t i;

    for (i = 0; i < R->n_mails; i++) {
        free(R->mails[i].message);
        free(R->mails[i].recipient);
        free(R->mails[i].subject);
    }
    free(R->mails);
    free(R->jobs);
}

/* Build a text mail into the round; a person whose address or name
 * cannot make a message is logged and left out. */
static void mail_add(struct round *R, const struct mg_circle *c,
                     const struct mg_jobs_config *cfg, const char *to_name,
                     const char *to_email, const char *subject,
                     const char *text, const char *dedupe)
{
    struct mg_text_mail m;
    struct mg_error err = {{0}, {0}};
    struct pending *p;
    char *msg = NULL;
    size_t len = 0;

    memset(&m, 0, sizeof(m));
    m.from_name = c->organizer_name;
    m.from_email = from_address(c, cfg);
    m.to_name = to_name;
    m.to_email = to_email;
    m.subject = subject;
    m.text = text;
    m.date = R->now;
    m.auto_submitted = 1;
    if (mg_mail_build_text(&msg, &len, &m, &err) < 0) {
        mg_log(MG_LOG_WARN, "jobs: mail left out", "key", dedupe, "field",
               err.field, "error", err.message, NULL);
        return;
    }
    if (R->n_mails == R->cap_mails) {
        R->cap_mails = R->cap_mails ? 2 * R->cap_mails : 64;
        R->mails = mg_xrealloc(R->mails, R->cap_mails * sizeof(*R->mails));
    }
    p = &R->mails[R->n_mails++];
    p->message = msg;
    p->len = len;
    p->recipient = mg_xstrdup(to_email);
    p->subject = mg_xstrdup(subject);
    snprintf(p->dedupe, sizeof(p->dedupe), "%s", dedupe);
}

/* Job `id` ends `status`; its mails are those added since `first`. */
static void decide(struct round *R, int64_t id, int64_t circle_id,
                   enum mg_job_kind kind, enum mg_job_status status,
                   const char *note, size_t first, size_t late)
{
    struct decided *d;

    if (R->n_jobs == R->cap_jobs) {
        R->cap_jobs = R->cap_jobs ? 2 * R->cap_jobs : 64;
        R->jobs = mg_xrealloc(R->jobs, R->cap_jobs * sizeof(*R->jobs));
    }
    d = &R->jobs[R->n_jobs++];
    d->id = id;
    d->circle_id = circle_id;
    d->kind = kind;
    d->status = status;
    d->note = note;
    d->retry_at = 0;
    d->error = NULL;
    d->first = first;
    d->n = R->n_mails - first;
    d->late = late;
}

static const char *outbox_kind(enum mg_job_kind k)
{
    return mg_store_job_kind_name(k);
}

/* Write what the round decided, in one transaction, and count it. */
static int round_commit(struct mg_jobs_stats *s, struct mg_store *st,
                        struct round *R)
{
    struct mg_store_tx *tx = NULL;
    size_t i, k, sent = 0, late = 0, followups = 0, nudges = 0;
    int rc;

    if (R->n_jobs == 0)
        return 0;
    rc = mg_store_begin(&tx, st);
    for (i = 0; rc == 0 && i < R->n_jobs; i++) {
        const struct decided *d = &R->jobs[i];
        size_t queued = 0;
        int changed = 0;

        if (d->status == MG_JOB_QUEUED) {
            /* failed for a passing reason: due again later */
            rc = mg_store_tx_job_retry(&changed, tx, d->id, d->retry_at,
                                       d->error);
            s->retried += (size_t)changed;
            continue;
        }
        rc = mg_store_tx_job_finish(&changed, tx, d->id, d->status, R->now,
                                    d->note);
        if (rc < 0 || !changed)
            continue; /* another round took it: its mail is theirs */
        for (k = d->first; rc == 0 && k < d->first + d->n; k++) {
            const struct pending *p = &R->mails[k];
            struct mg_outbox_msg m;

            memset(&m, 0, sizeof(m));
            m.circle_id = d->circle_id;
            m.kind = outbox_kind(d->kind);
            m.recipient = p->recipient;
            m.subject = p->subject;
            m.message = p->message;
            m.len = p->len;
            m.dedupe_key = p->dedupe;
            rc = mg_store_tx_outbox_queue(&queued, tx, &m);
        }
        if (d->kind == MG_JOB_REMINDER)
            sent += queued;
        else if (d->kind == MG_JOB_FOLLOWUP)
            followups += queued;
        else
            nudges += queued;
        late += d->late;
        if (d->status == MG_JOB_SKIPPED)
            s->skipped++;
    }
    if (rc == 0)
        rc = mg_store_commit(tx);
    else
        mg_store_rollback(tx);
    if (rc < 0)
        return rc;
    s->reminders_sent += sent;
    s->reminders_late += late;
    s->followups += followups;
    s->nudges += nudges;
    s->mails += sent + followups + nudges;
    atomic_fetch_add(&total_sent, sent);
    atomic_fetch_add(&total_late, late);
    return 0;
}

/* Whether the circle still sends reminders at job `j`'s offset (its
 * settings may have changed since the job was made or taken again). */
static int offset_wanted(const struct circle_cache *c,
                         const struct mg_job_row *j)
{
    size_t i;

    for (i = 0; c->settings.enabled && i < c->settings.n_offsets; i++)
        if (c->settings.offsets[i] == -j->offset_minutes)
            return 1;
    return 0;
}

static int do_reminder(struct round *R, struct mg_store *st,
                       const struct mg_jobs_config *cfg, struct circle_cache *c,
                       const struct mg_job_row *j)
{
    struct mg_group_row *g = NULL;
    struct mg_job_person *people = NULL;
    char *link = NULL;
    size_t n = 0, i, eligible = 0, first = R->n_mails;
    int before = -j->offset_minutes;
    int late = R->now >= j->starts_at;
    int rc;

    if (!offset_wanted(c, j)) {
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
               "reminders changed", first, 0);
        return 0;
    }
    if (late && strcmp(j->note, "the call moved") == 0) {
        /* sent before for the old time; the call has begun since */
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
               "the call moved and began", first, 0);
        return 0;
    }
    rc = mg_store_group_get(&g, st, j->circle_id, j->group_id);

    if (rc == MG_ENOTFOUND) {
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
               "the group is gone", first, 0);
        return 0;
    }
    /* the group's own room, the circle's template's, or its video URL */
    if (rc == 0)
        rc = mg_calendar_group_call_link(&link, st, j->circle_id, j->group_id);
    if (rc == 0)
        rc = mg_store_job_people(&people, &n, st, j->group_id, 0);
    if (rc < 0)
        goto out;
    for (i = 0; i < n; i++) {
        const struct mg_job_person *p = &people[i];
        const char *tz = c->circle->time_zone;
        struct mg_buf text = MG_BUF_INIT;
        char when[96], when_circle[96], mac[MAC_HEX + 1], dedupe[96];
        char *subject;

        if (!p->active || p->reminders_off || !p->email)
            continue;
        eligible++;
        if (late)
            continue;
        if (p->time_zone && p->time_zone[0] &&
            mg_schedule_tz_valid(p->time_zone))
            tz = p->time_zone;
        when_text(when, sizeof(when), tz, j->starts_at);
        when_text(when_circle, sizeof(when_circle), c->circle->time_zone,
                  j->starts_at);
        link_mac(mac, c->key, p->id, j->session_id);
        subject = mg_xasprintf(_("Reminder: %s, %s"), g->name, when);
        mg_buf_printf(&text, _("Kia ora %s,\n\n"), p->name ? p->name : "");
        mg_buf_printf(&text, _("Your %s call (%s, week %d) is on %s.\n"),
                      c->circle->title, g->name, j->week, when);
        if (strcmp(tz, c->circle->time_zone) != 0)
            mg_buf_printf(&text, _("That is %s in the circle's time zone.\n"),
                          when_circle);
        mg_buf_printf(&text, _("It lasts %d minutes.\n\n"), j->minutes);
        reading_text(&text, c, g, j->week);
        if (link)
            mg_buf_printf(&text, _("Call link: %s\n"), link);
        mg_buf_puts(&text, "\n");
        mg_buf_printf(&text,
                      _("Can't come this time? Let your group know: "
                        "%s/r/%lld/%lld/%s\n"),
                      cfg->base_url ? cfg->base_url : "", (long long)p->id,
                      (long long)j->session_id, mac);
        mg_buf_puts(&text, _("You can turn these reminders off from your "
                             "page.\n"));
        /* person, call, offset and the call's start: once each, and
         * once more if the call moves */
        snprintf(dedupe, sizeof(dedupe), "reminder:%lld:%lld:%d:%lld",
                 (long long)p->id, (long long)j->session_id, before,
                 (long long)j->starts_at);
        mail_add(R, c->circle, cfg, p->name, p->email, subject, text.data,
                 dedupe);
        free(subject);
        mg_buf_release(&text);
    }
    if (late)
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_LATE,
               "the call had begun", first, eligible);
    else
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_DONE,
               eligible ? NULL : "nobody to remind", first, 0);
out:
    free(link);
    mg_store_job_people_free(people, n);
    mg_store_groups_free(g, g ? 1 : 0);
    return rc;
}

static int do_followup(struct round *R, struct mg_store *st,
                       const struct mg_jobs_config *cfg, struct circle_cache *c,
                       const struct mg_job_row *j)
{
    struct mg_group_row *g = NULL;
    struct mg_job_person *people = NULL;
    size_t n = 0, i, first = R->n_mails;
    char key[MG_CIRCLE_KEY_MAX], tag[160], address[320];
    int rc = mg_store_group_get(&g, st, j->circle_id, j->group_id);

    if (rc == MG_ENOTFOUND) {
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
               "the group is gone", first, 0);
        return 0;
    }
    if (rc == 0)
        rc = mg_store_job_people(&people, &n, st, j->group_id, 1);
    if (rc < 0)
        goto out;
    mg_circle_key(key, c->circle);
    snprintf(tag, sizeof(tag), "[%s G%d W%d summary]", key, g->position,
             j->week);
    address[0] = '\0';
    if (g->address && g->address[0] && cfg->mail_domain && cfg->mail_domain[0])
        snprintf(address, sizeof(address), "%s@%s", g->address,
                 cfg->mail_domain);
    else if (g->address && strchr(g->address, '@'))
        snprintf(address, sizeof(address), "%s", g->address);
    for (i = 0; i < n; i++) {
        const struct mg_job_person *p = &people[i];
        struct mg_buf text = MG_BUF_INIT;
        char dedupe[96];
        char *subject;

        if (!p->active || !p->email)
            continue;
        subject =
            mg_xasprintf(_("Your summary of %s, week %d"), g->name, j->week);
        mg_buf_printf(&text, _("Kia ora %s,\n\n"), p->name ? p->name : "");
        mg_buf_printf(&text,
                      _("Thank you for leading this week's call of %s.\n"
                        "Please send the group's summary"),
                      g->name);
        if (address[0])
            mg_buf_printf(&text, _(" to %s"), address);
        mg_buf_printf(&text,
                      _(" with this tag in the subject, so it is filed "
                        "under week %d:\n\n    %s\n\n"),
                      j->week, tag);
        mg_buf_puts(&text, _("A short template:\n\n"
                             "What we talked about:\n"
                             "Questions we were left with:\n"
                             "Quotes or moments to keep:\n"
                             "For next week:\n"));
        snprintf(dedupe, sizeof(dedupe), "followup:%lld:%lld", (long long)p->id,
                 (long long)j->session_id);
        mail_add(R, c->circle, cfg, p->name, p->email, subject, text.data,
                 dedupe);
        free(subject);
        mg_buf_release(&text);
    }
    decide(R, j->id, j->circle_id, j->kind,
           R->n_mails > first ? MG_JOB_DONE : MG_JOB_SKIPPED,
           R->n_mails > first ? NULL : "no facilitator", first, 0);
out:
    mg_store_job_people_free(people, n);
    mg_store_groups_free(g, g ? 1 : 0);
    return rc;
}

/*
 * The nudges of one circle in this round, jobs[0..n-1]: one mail to the
 * coordinator listing each group whose summary of a held call is still
 * missing (carried by the first such job); a job whose summary came is
 * skipped.
 */
static int do_nudges(struct round *R, struct mg_store *st,
                     const struct mg_jobs_config *cfg, struct circle_cache *c,
                     const struct mg_job_row *const *jobs, size_t n)
{
    struct mg_buf text = MG_BUF_INIT;
    const struct mg_job_row **missing = mg_xcalloc(n ? n : 1, sizeof(*missing));
    size_t n_missing = 0, i, first;
    int rc = 0;

    mg_buf_printf(&text, _("Kia ora %s,\n\n"),
                  c->circle->organizer_name ? c->circle->organizer_name : "");
    mg_buf_printf(&text,
                  _("These groups of %s have not sent the summary of a call "
                    "held more than %d days ago:\n\n"),
                  c->circle->title,
                  (jobs[0]->offset_minutes + 24 * 60 - 1) / (24 * 60));
    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_group_row *g = NULL;
        char when[96];
        int found = 0;

        rc = mg_store_summary_received(&found, st, jobs[i]->group_id,
                                       jobs[i]->week);
        if (rc == 0 && found) {
            decide(R, jobs[i]->id, jobs[i]->circle_id, jobs[i]->kind,
                   MG_JOB_SKIPPED, "the summary came", R->n_mails, 0);
            continue;
        }
        if (rc == 0)
            rc = mg_store_group_get(&g, st, jobs[i]->circle_id,
                                    jobs[i]->group_id);
        if (rc == MG_ENOTFOUND) {
            decide(R, jobs[i]->id, jobs[i]->circle_id, jobs[i]->kind,
                   MG_JOB_SKIPPED, "the group is gone", R->n_mails, 0);
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;
        when_text(when, sizeof(when), c->circle->time_zone, jobs[i]->starts_at);
        mg_buf_printf(&text, _("- %s, week %d (call on %s)\n"), g->name,
                      jobs[i]->week, when);
        missing[n_missing++] = jobs[i];
        mg_store_groups_free(g, 1);
    }
    first = R->n_mails;
    if (rc == 0 && n_missing) {
        const char *to = c->circle->organizer_email;

        if (to && mg_email_valid(to)) {
            char dedupe[96];
            char *subject = mg_xasprintf(
                mg_ngettext("%s: %zu group's summary is missing",
                            "%s: %zu groups' summaries are missing", n_missing),
                c->circle->title, n_missing);

            /* the first job's id: each job is in one nudge only */
            snprintf(dedupe, sizeof(dedupe), "nudge:%lld:%lld",
                     (long long)c->circle->id, (long long)missing[0]->id);
            mail_add(R, c->circle, cfg, c->circle->organizer_name, to, subject,
                     text.data, dedupe);
            free(subject);
        }
        for (i = 0; i < n_missing; i++)
            decide(R, missing[i]->id, missing[i]->circle_id, missing[i]->kind,
                   R->n_mails > first ? MG_JOB_DONE : MG_JOB_SKIPPED,
                   R->n_mails > first ? NULL : "no coordinator address",
                   i == 0 ? first : R->n_mails, 0);
    }
    mg_buf_release(&text);
    free(missing);
    return rc;
}

/* When job `j` is due by its call as it is now. */
static int64_t due_now(const struct mg_job_row *j)
{
    return j->starts_at + (int64_t)j->offset_minutes * 60 +
           (j->kind == MG_JOB_REMINDER ? 0 : (int64_t)j->minutes * 60);
}

/*
 * Whether another reminder of the same call, nearer to it, is due too
 * (both came due while no daemon ran): in this batch, or still waiting
 * in the store (a circle's calls at one hour put every group's farther
 * reminders in the batches before the nearer ones).
 */
static int superseded(int *yes, struct mg_store *st,
                      const struct mg_job_row *jobs, size_t n,
                      const struct mg_job_row *j, int64_t now)
{
    size_t i;

    *yes = 0;
    if (now >= j->starts_at)
        return 0;
    for (i = 0; i < n; i++)
        if (&jobs[i] != j && jobs[i].kind == MG_JOB_REMINDER &&
            jobs[i].session_id == j->session_id &&
            jobs[i].offset_minutes > j->offset_minutes &&
            due_now(&jobs[i]) <= now) {
            *yes = 1;
            return 0;
        }
    return mg_store_job_nearer_due(yes, st, j->session_id, j->offset_minutes,
                                   now);
}

/*
 * Job `j` failed with `rc`: given up (skipped, "failed") when the error
 * will not pass (no such thing, bad data), when it failed too often or
 * its call has begun (a reminder); else tried again later. Logged.
 */
static void job_failed(struct round *R, const struct mg_job_row *j, int rc)
{
    int permanent = rc == MG_ENOTFOUND || rc == MG_EINVAL;
    int begun = j->kind == MG_JOB_REMINDER && R->now >= j->starts_at;
    int64_t wait = RETRY_FIRST;
    char id[24], attempts[16], in[24];
    int i;

    snprintf(id, sizeof(id), "%lld", (long long)j->id);
    snprintf(attempts, sizeof(attempts), "%d", j->attempts + 1);
    if (permanent || begun || j->attempts + 1 >= RETRY_ATTEMPTS) {
        /* one job that cannot be done must not hold up every other
         * one round after round: it is skipped, and said so */
        mg_log(MG_LOG_ERROR, "jobs: job skipped", "job", id, "error",
               mg_strerror(rc), "attempts", attempts, NULL);
        decide(R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED, "failed",
               R->n_mails, 0);
        return;
    }
    for (i = 0; i < j->attempts && wait < RETRY_MAX_WAIT; i++)
        wait *= 2;
    if (wait > RETRY_MAX_WAIT)
        wait = RETRY_MAX_WAIT;
    snprintf(in, sizeof(in), "%llds", (long long)wait);
    mg_log(MG_LOG_WARN, "jobs: job failed, tried again later", "job", id,
           "error", mg_strerror(rc), "attempts", attempts, "in", in, NULL);
    decide(R, j->id, j->circle_id, j->kind, MG_JOB_QUEUED, NULL, R->n_mails, 0);
    R->jobs[R->n_jobs - 1].retry_at = R->now + wait;
    R->jobs[R->n_jobs - 1].error = mg_strerror(rc);
}

int mg_jobs_round(struct mg_jobs_stats *out, struct mg_store *st,
                  const struct mg_jobs_config *cfg, int64_t now, int max)
{
    struct mg_jobs_stats s;
    struct circle_cache c;
    struct round R;
    struct mg_job_row *jobs = NULL;
    const struct mg_job_row **nudges = NULL;
    size_t n = 0, n_nudges = 0, i;
    char lang[MG_I18N_LANG_MAX];
    int rc = mg_store_jobs_due(&jobs, &n, st, now, max);

    memset(&s, 0, sizeof(s));
    memset(&c, 0, sizeof(c));
    memset(&R, 0, sizeof(R));
    R.now = now;
    if (rc < 0)
        goto out;
    s.taken = n;
    nudges = mg_xcalloc(n ? n : 1, sizeof(*nudges));
    mg_i18n_switch(lang, NULL);
    for (i = 0; rc == 0 && i < n; i++) {
        const struct mg_job_row *j = &jobs[i];
        int64_t due = due_now(j);
        int later = 0;

        if (!j->starts_at || j->cancelled) {
            decide(&R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
                   j->starts_at ? "the call is cancelled" : "the call is gone",
                   R.n_mails, 0);
            continue;
        }
        if (due > now) {
            /* the call moved later: the job follows it */
            rc = mg_store_job_reschedule(st, j->id, due);
            s.rescheduled++;
            continue;
        }
        if (j->kind == MG_JOB_REMINDER &&
            (rc = superseded(&later, st, jobs, n, j, now)) < 0)
            break;
        if (later) {
            /* a daemon that was down: the nearer reminder alone */
            decide(&R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
                   "a nearer reminder is due", R.n_mails, 0);
            continue;
        }
        if (j->kind == MG_JOB_FOLLOWUP && now > due + FOLLOWUP_GRACE) {
            decide(&R, j->id, j->circle_id, j->kind, MG_JOB_LATE,
                   "a day past the call", R.n_mails, 0);
            continue;
        }
        rc = cache_load(&c, st, j->circle_id);
        if (rc == MG_ENOTFOUND) {
            decide(&R, j->id, j->circle_id, j->kind, MG_JOB_SKIPPED,
                   "the circle is gone", R.n_mails, 0);
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;
        mg_i18n_use(mg_circle_language(c.circle));
        if (j->kind == MG_JOB_REMINDER)
            rc = do_reminder(&R, st, cfg, &c, j);
        else if (j->kind == MG_JOB_FOLLOWUP)
            rc = do_followup(&R, st, cfg, &c, j);
        else
            nudges[n_nudges++] = j;
        if (rc < 0 && rc != MG_EBUSY) {
            job_failed(&R, j, rc);
            rc = 0;
        }
    }
    /* the nudges, one mail per circle (they came in due order: group
     * them by circle here) */
    for (i = 0; rc == 0 && i < n_nudges; i++) {
        const struct mg_job_row **same;
        size_t k, m = 0;

        if (!nudges[i])
            continue;
        same = mg_xcalloc(n_nudges, sizeof(*same));
        for (k = i; k < n_nudges; k++)
            if (nudges[k] && nudges[k]->circle_id == nudges[i]->circle_id) {
                same[m++] = nudges[k];
                if (k > i)
                    nudges[k] = NULL;
            }
        nudges[i] = NULL;
        rc = cache_load(&c, st, same[0]->circle_id);
        if (rc == 0) {
            mg_i18n_use(mg_circle_language(c.circle));
            rc = do_nudges(&R, st, cfg, &c, same, m);
        }
        free(same);
    }
    mg_i18n_restore(lang);
    /* all or nothing: a round that failed half-way leaves every job due */
    if (rc == 0)
        rc = round_commit(&s, st, &R);
out:
    round_release(&R);
    cache_release(&c);
    free(nudges);
    free(jobs);
    if (out)
        *out = s;
    return rc;
}
