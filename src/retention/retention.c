/*
 * retention.c: when a circle's data expires, and its purge. A purge
 * keeps the success report as it is (once, in the purge's row, before
 * anything goes), rewrites the published summaries without names when
 * the coordinator chose to keep them, erases the people a batch at a
 * time with the store's erasure (the same statements as one person's),
 * deletes what of the circle is left that could name someone (other
 * notes, mail, secrets but coordinators'), and records itself in the
 * audit log by counts alone. Each step is a transaction of its own and
 * finds its work again from the store, so a purge stopped half-way (a
 * budget, a crash) goes on where it was.
 */
#include "mingle/retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/json.h"
#include "mingle/report.h"
#include "mingle/store.h"

#include "banned.h"

#define PEOPLE_BATCH 500  /* people per transaction */
#define SUMMARY_BATCH 200 /* summaries per transaction */
#define REST_BATCH 2000   /* other rows per transaction */

int64_t mg_retention_expiry(int64_t ends_at, int days)
{
    return days > 0 ? ends_at + (int64_t)days * MG_RETENTION_DAY : 0;
}

int mg_retention_get(struct mg_retention *out, struct mg_store *st,
                     int64_t circle_id)
{
    struct mg_store_retention s;
    struct mg_store_purge p;
    int rc;

    memset(out, 0, sizeof(*out));
    out->circle_id = circle_id;
    rc = mg_store_retention_end(&out->ends_at, st, circle_id);
    if (rc == 0)
        rc = mg_store_retention_get(&s, st, circle_id);
    if (rc == 0)
        rc = mg_store_retention_purge_get(&p, st, circle_id, 0);
    if (rc < 0)
        return rc;
    out->is_default = !s.found;
    out->days = s.found ? s.days : MG_RETENTION_DEFAULT_DAYS;
    out->keep_summaries = s.found ? s.keep_summaries : 0;
    out->expires_at = mg_retention_expiry(out->ends_at, out->days);
    out->purge_started_at = p.found ? p.started_at : 0;
    out->purged_at = p.found ? p.finished_at : 0;
    return 0;
}

int mg_retention_set(struct mg_store *st, int64_t circle_id, int days,
                     int keep_summaries, struct mg_error *err)
{
    struct mg_store_retention s;
    int64_t end;
    int rc;

    if (days < 0 || (days > 0 && days < MG_RETENTION_MIN_DAYS) ||
        days > MG_RETENTION_MAX_DAYS) {
        mg_error_set(err, "days",
                     "must be from %d to %d, or none to keep the data until "
                     "it is purged by hand",
                     MG_RETENTION_MIN_DAYS, MG_RETENTION_MAX_DAYS);
        return MG_EINVAL;
    }
    if (keep_summaries != 0 && keep_summaries != 1) {
        mg_error_set(err, "keep_summaries", "must be true or false");
        return MG_EINVAL;
    }
    rc = mg_store_retention_end(&end, st, circle_id);
    if (rc < 0)
        return rc;
    memset(&s, 0, sizeof(s));
    s.circle_id = circle_id;
    s.days = days;
    s.keep_summaries = keep_summaries;
    return mg_store_retention_put(st, &s);
}

static void drop_free_texts(struct mg_survey_results *r)
{
    size_t i, k;

    for (i = 0; r && i < r->n_questions; i++) {
        struct mg_survey_tally *t = &r->questions[i];

        for (k = 0; k < t->n_texts; k++)
            free(t->texts[k]);
        t->n_texts = 0;
    }
}

/* Keep the report as it is now, unless a purge began before. */
static int keep_report(struct mg_store *st, int64_t circle_id, int64_t now,
                       int forced, int keep_summaries)
{
    struct mg_report rep;
    struct mg_buf json = MG_BUF_INIT;
    int begun = 0;
    int rc;

    memset(&rep, 0, sizeof(rep));
    rc = mg_report_load(&rep, st, circle_id);
    if (rc == 0) {
        /* the survey's free texts are people's own words: their count
         * stays, the words go with the people */
        drop_free_texts(rep.survey);
        mg_json_report_write(&json, &rep);
        rc = mg_store_retention_purge_begin(&begun, st, circle_id, now, forced,
                                            keep_summaries,
                                            json.data ? json.data : "");
    }
    mg_report_release(&rep);
    mg_buf_release(&json);
    return rc;
}

/* One batch of summaries rewritten without names: *n how many. */
static int scrub_batch(size_t *n, struct mg_store *st, int64_t circle_id)
{
    struct mg_store_summary *list = NULL;
    size_t k = 0, i;
    int rc =
        mg_store_retention_summaries(&list, &k, st, circle_id, SUMMARY_BATCH);

    *n = 0;
    if (rc < 0)
        return rc;
    for (i = 0; i < k; i++) {
        struct mg_store_summary *s = &list[i];
        /* the group's people, the sender's name and address's local
         * part (a sign-off may use either) */
        const char **names = mg_xcalloc(s->n_names + 2, sizeof(*names));
        char *local = mg_xstrdup(s->from_email ? s->from_email : "");
        char *at = strchr(local, '@'), *text;
        size_t j, m = 0;

        if (at)
            *at = '\0';
        for (j = 0; j < s->n_names; j++)
            if (s->names[j])
                names[m++] = s->names[j];
        if (s->from_name)
            names[m++] = s->from_name;
        names[m++] = local;
        text = mg_retention_scrub(s->body, names, m);
        free(s->body);
        s->body = text;
        if (s->subject) {
            text = mg_retention_scrub(s->subject, names, m);
            free(s->subject);
            s->subject = text;
        }
        free(local);
        free(names);
    }
    if (k)
        rc = mg_store_retention_summaries_save(st, list, k);
    mg_store_summaries_free(list, k);
    if (rc == 0)
        *n = k;
    return rc;
}

/* One line per call that did work: counts and time, never a name. */
static void log_step(int64_t circle_id, const struct mg_purge_stats *s,
                     double seconds)
{
    char id[24], people[24], summaries[24], ms[32];

    snprintf(id, sizeof(id), "%lld", (long long)circle_id);
    snprintf(people, sizeof(people), "%zu", s->people);
    snprintf(summaries, sizeof(summaries), "%zu", s->summaries);
    snprintf(ms, sizeof(ms), "%.1f", seconds * 1000);
    mg_log(MG_LOG_INFO,
           s->finished ? "circle's personal data purged"
                       : "circle's personal data being purged",
           "circle", id, "people", people, "summaries_kept", summaries, "ms",
           ms, NULL);
}

static void audit(struct mg_store *st, int64_t circle_id, const char *actor,
                  const char *via, const struct mg_store_purge *p)
{
    struct mg_audit_entry e;

    memset(&e, 0, sizeof(e));
    snprintf(e.actor, sizeof(e.actor), "%s", actor ? actor : "mingle");
    snprintf(e.via, sizeof(e.via), "%s", via ? via : "cli");
    snprintf(e.action, sizeof(e.action), "%s",
             p->forced ? "purge circle data (before its retention expired)"
                       : "purge circle data (retention expired)");
    e.circle_id = circle_id;
    snprintf(e.target, sizeof(e.target), "people=%lld summaries_kept=%lld",
             (long long)p->people, (long long)p->summaries);
    e.status = 200;
    if (mg_store_audit_add(st, &e) < 0)
        mg_log(MG_LOG_ERROR, "cannot record the purge in the audit log", NULL);
}

int mg_retention_purge(struct mg_purge_stats *out, struct mg_store *st,
                       int64_t circle_id, int64_t now, int flags, double budget,
                       const char *actor, const char *via, struct mg_error *err)
{
    struct mg_purge_stats s;
    struct mg_retention r;
    struct mg_store_purge p;
    double start = mg_monotonic();
    size_t n;
    int keep, rc = mg_retention_get(&r, st, circle_id);

    memset(&s, 0, sizeof(s));
    if (rc == 0)
        rc = mg_store_retention_purge_get(&p, st, circle_id, 1);
    if (rc < 0)
        return rc;
    if (!p.found && !(flags & MG_PURGE_NOW) &&
        (!r.expires_at || now < r.expires_at)) {
        if (!r.expires_at) {
            mg_error_set(err, "circle",
                         "circle %lld keeps its data until it is purged by "
                         "hand: give --now to purge it",
                         (long long)circle_id);
        } else {
            char until[32];

            mg_report_time(until, sizeof(until), r.expires_at);
            mg_error_set(err, "circle",
                         "circle %lld keeps its data for %d days after its "
                         "last call, until %s UTC: give --now to purge it "
                         "before",
                         (long long)circle_id, r.days, until);
        }
        return MG_ECONFLICT;
    }
    keep = p.found ? p.keep_summaries : r.keep_summaries;
    s.kept_summaries = keep;
    if (flags & MG_PURGE_DRY_RUN) {
        s.people = (size_t)p.remaining;
        s.summaries = keep ? (size_t)p.named_summaries : 0;
        s.finished = p.remaining == 0 && p.finished_at;
        if (out)
            *out = s;
        return 0;
    }
    if (!p.found) {
        int expired = r.expires_at && now >= r.expires_at;

        rc = keep_report(st, circle_id, now, !expired, keep);
    }
    /* summaries first: their group's names go with the people */
    while (rc == 0 && keep) {
        rc = scrub_batch(&n, st, circle_id);
        s.summaries += n;
        if (rc < 0 || n == 0)
            break;
        if (budget > 0 && mg_monotonic() - start > budget)
            goto partial;
    }
    while (rc == 0) {
        rc = mg_store_participants_erase_some(&n, NULL, st, circle_id,
                                              PEOPLE_BATCH);
        s.people += n;
        if (rc < 0 || n == 0)
            break;
        if (budget > 0 && mg_monotonic() - start > budget)
            goto partial;
    }
    while (rc == 0) {
        rc = mg_store_retention_purge_rest(&n, st, circle_id, keep, REST_BATCH);
        s.rest += n;
        if (rc < 0 || n == 0)
            break;
    }
    if (rc == 0)
        rc = mg_store_retention_purge_note(st, circle_id, (int64_t)s.people,
                                           (int64_t)s.summaries, now);
    if (rc == 0) {
        s.finished = 1;
        rc = mg_store_retention_purge_get(&p, st, circle_id, 1);
        if (rc == 0)
            audit(st, circle_id, actor, via, &p);
        log_step(circle_id, &s, mg_monotonic() - start);
    }
    if (rc == 0 && out)
        *out = s;
    return rc;
partial:
    rc = mg_store_retention_purge_note(st, circle_id, (int64_t)s.people,
                                       (int64_t)s.summaries, 0);
    log_step(circle_id, &s, mg_monotonic() - start);
    if (rc == 0 && out)
        *out = s;
    return rc;
}

int mg_retention_round(size_t *purged, int *more, struct mg_store *st,
                       int64_t now, double budget)
{
    double start = mg_monotonic();
    int64_t after = 0;
    int rc = 0;

    *purged = 0;
    *more = 0;
    for (;;) {
        struct mg_circle *list = NULL;
        size_t n = 0, i;

        rc = mg_store_circle_list(&list, &n, st, after, 200);
        if (rc < 0)
            return rc;
        for (i = 0; rc == 0 && i < n; i++) {
            struct mg_retention r;
            struct mg_store_purge p;
            struct mg_purge_stats s;
            struct mg_error err = {{0}, {0}};
            double left = budget - (mg_monotonic() - start);

            if (mg_retention_get(&r, st, list[i].id) < 0 || !r.expires_at ||
                now < r.expires_at)
                continue;
            if (mg_store_retention_purge_get(&p, st, list[i].id, 1) < 0 ||
                (p.found && p.finished_at && p.remaining == 0))
                continue;
            if (budget > 0 && left <= 0) {
                *more = 1;
                break;
            }
            rc = mg_retention_purge(&s, st, list[i].id, now, 0,
                                    budget > 0 ? left : 0, "scheduler", "jobs",
                                    &err);
            if (rc < 0) {
                char id[24];
                snprintf(id, sizeof(id), "%lld", (long long)list[i].id);
                mg_log(MG_LOG_ERROR, "cannot purge an expired circle", "circle",
                       id, "error", mg_strerror(rc), NULL);
                rc = 0; /* the others still go; this one tomorrow */
                continue;
            }
            if (s.finished)
                (*purged)++;
            else
                *more = 1;
        }
        if (n)
            after = list[n - 1].id;
        mg_store_circles_free(list, n);
        if (n < 200 || *more)
            break;
    }
    return rc;
}
