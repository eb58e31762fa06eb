/*
 * demo.c: `mingle demo`, the one place that shows the product whole. It
 * creates (or reuses) a demo database with a circle modelled on the
 * four-week Atlas of New Librarianship reading circle, makes a fresh
 * coordinator token, starts the daemon and prints what to open or curl.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mingle/auth.h"
#include "mingle/circle.h"
#include "mingle/calendar.h"
#include "mingle/cpd.h"
#include "mingle/ical.h"
#include "mingle/plenary.h"
#include "mingle/people.h"

#include "banned.h"

#define DEMO_SLUG "atlas-demo"
#define DEMO_KICKOFF "Kick-off: the Atlas with its author"
#define DEMO_KICKOFF_TARGET 15
#define DEMO_LABEL "demo"

/* The first Tuesday on or after the day two weeks ago (local time): the
 * demo circle is half-way through, with two weeks of calls behind it
 * (with their attendance) and two to come. */
static void demo_start(char *out, size_t n)
{
    time_t t = time(NULL) - 14 * 24 * 3600;
    struct tm tm;

    localtime_r(&t, &tm);
    while (tm.tm_wday != 2) {
        t += 24 * 3600;
        localtime_r(&t, &tm);
    }
    strftime(out, n, "%Y-%m-%d", &tm);
}

/* Load the Atlas outline into the demo circle unless it has a book. */
static int ensure_book(struct mg_store *st, int64_t circle_id)
{
    struct mg_book_info info;
    struct mg_circle *c = NULL;
    struct mg_book *b = NULL;
    struct mg_buf data = MG_BUF_INIT;
    struct mg_error err = {{0}, {0}};
    const char *path = MINGLE_DATA_DIR "/atlas-outline.md";
    int rc = mg_store_book_get(&info, st, circle_id);

    if (rc == 0) {
        mg_store_book_info_release(&info);
        return 0;
    }
    if (rc != MG_ENOTFOUND)
        return rc;
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0 && cli_read_file(&data, path) != 0)
        rc = MG_EIO;
    if (rc == 0) {
        rc = mg_book_parse(&b, data.data, data.len, path, &err);
        if (rc < 0)
            cli_error("%s: %s", path, err.message);
    }
    if (rc == 0)
        rc = cli_book_store(st, c, path, b, data.data, data.len, 0);
    mg_book_free(b);
    mg_circle_free(c);
    mg_buf_release(&data);
    return rc;
}

/*
 * Register the sample participants and form the groups, once: a circle
 * that already has people is left as the coordinator made it.
 */
static int ensure_people(struct mg_store *st, int64_t circle_id)
{
    struct mg_people_filter f;
    struct mg_participant *list = NULL;
    struct mg_circle *c = NULL;
    size_t n = 0;
    int rc;

    memset(&f, 0, sizeof(f));
    f.limit = 1;
    rc = mg_store_participants_list(&list, &n, st, circle_id, &f);
    mg_participants_free(list, n);
    if (rc < 0 || n > 0)
        return rc;
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = cli_people_import(st, c, MINGLE_DATA_DIR "/demo-people.csv");
    if (rc == 0)
        rc = cli_groups_plan(st, circle_id, 0, 1, 0);
    mg_circle_free(c);
    return rc;
}

/*
 * Who came to the calls already held, as if imported from the video
 * platform's reports: most of each group, a few fewer the second week,
 * so the report and the dashboard have something to show. Only for
 * calls in the past that have no attendance yet.
 */
static int ensure_attendance(struct mg_store *st, int64_t circle_id)
{
    struct mg_group_row *groups = NULL;
    struct mg_participant *people = NULL;
    struct mg_people_filter f;
    size_t n_groups = 0, n = 0, g;
    int rc;

    memset(&f, 0, sizeof(f));
    rc = mg_store_groups_list(&groups, &n_groups, st, circle_id);
    if (rc == 0)
        rc = mg_store_participants_list(&people, &n, st, circle_id, &f);
    for (g = 0; rc == 0 && g < n_groups; g++) {
        struct mg_session_row *s = NULL;
        size_t n_s = 0, k, i;

        rc = mg_store_sessions_for_group(&s, &n_s, st, groups[g].id);
        for (k = 0; rc == 0 && k < n_s; k++) {
            struct mg_attendance_row *have = NULL, *rows;
            size_t n_have = 0, m = 0, seen = 0;

            if (s[k].starts_at + 60L * s[k].minutes > mg_now())
                continue;
            rc = mg_store_attendance_list(&have, &n_have, st, s[k].id);
            mg_store_attendance_free(have, n_have);
            if (rc < 0 || n_have)
                continue;
            rows = mg_xcalloc(n + 1, sizeof(*rows));
            for (i = 0; i < n; i++) {
                if (people[i].group_id != groups[g].id)
                    continue;
                /* week 1: all but one; later weeks: one more away (the
                 * last of each eight, so the facilitator and the page
                 * the demo prints came to every call held) */
                rows[m].participant_id = people[i].id;
                rows[m].present = seen++ % 8 < 8 - (size_t)s[k].week;
                rows[m].minutes = rows[m].present ? s[k].minutes - 5 : 0;
                snprintf(rows[m].source, sizeof(rows[m].source), "zoom");
                m++;
            }
            rc = mg_store_attendance_replace(st, s[k].id, rows, m);
            free(rows);
        }
        free(s);
    }
    mg_store_groups_free(groups, n_groups);
    mg_participants_free(people, n);
    return rc;
}

/*
 * A kick-off webinar with the book's author before week 1 (capacity
 * 200), everyone registered, unless the circle has a plenary already.
 */
static int ensure_kickoff(struct mg_store *st, int64_t circle_id)
{
    struct mg_plenary_row *have = NULL, p;
    struct mg_participant *people = NULL;
    struct mg_people_filter f;
    struct mg_group_row *groups = NULL;
    struct mg_session_row *s = NULL;
    size_t n_have = 0, n = 0, n_groups = 0, n_s = 0, i;
    int rc = mg_store_plenaries_list(&have, &n_have, st, circle_id);

    mg_store_plenaries_free(have, n_have);
    if (rc < 0 || n_have)
        return rc;
    memset(&p, 0, sizeof(p));
    memset(&f, 0, sizeof(f));
    f.status = "active";
    rc = mg_store_groups_list(&groups, &n_groups, st, circle_id);
    if (rc == 0 && n_groups)
        rc = mg_store_sessions_for_group(&s, &n_s, st, groups[0].id);
    if (rc == 0 && n_s) {
        /* the Thursday before the first Tuesday's call, same time */
        p.circle_id = circle_id;
        p.title = mg_xstrdup(DEMO_KICKOFF);
        p.guest = mg_xstrdup("R. David Lankes");
        p.starts_at = s[0].starts_at - 5 * 24 * 3600;
        p.minutes = 60;
        p.weeks = 1;
        p.capacity = 200;
        mg_ical_new_uid(p.uid);
        rc = mg_store_plenary_create(st, &p);
        /* what the report sets the kick-off's attendance against */
        if (rc == 0)
            rc = mg_store_plenary_set_target(st, circle_id, p.id,
                                             DEMO_KICKOFF_TARGET);
    }
    if (rc == 0 && p.id)
        rc = mg_store_participants_list(&people, &n, st, circle_id, &f);
    for (i = 0; rc == 0 && p.id && i < n; i++) {
        struct mg_plenary_op op;
        struct mg_plenary_seat *seats = NULL;
        struct mg_error err = {{0}, {0}};
        size_t n_seats = 0, queued = 0;

        memset(&op, 0, sizeof(op));
        op.kind = MG_PLENARY_REGISTER;
        op.participant_id = people[i].id;
        rc = mg_plenary_change(&seats, &n_seats, &queued, st, circle_id, p.id,
                               &op, &err);
        free(seats);
    }
    mg_participants_free(people, n);
    mg_store_plenary_release(&p);
    free(s);
    mg_store_groups_free(groups, n_groups);
    return rc;
}

/*
 * Who came to the kick-off webinar, as if imported from its attendee
 * report: all but every eighth person registered, and the host and the
 * guest, who are not registrations. Only for the demo's own kick-off,
 * once its calls are over, and only when nothing is recorded yet.
 */
static int ensure_kickoff_attendance(struct mg_store *st, int64_t circle_id)
{
    struct mg_plenary_row *rows = NULL;
    struct mg_store_plenary_week *have = NULL;
    size_t n = 0, n_have = 0, i, j;
    int rc = mg_store_plenaries_list(&rows, &n, st, circle_id);

    if (rc == 0)
        rc = mg_store_report_plenary_weeks(&have, &n_have, st, circle_id);
    for (i = 0; rc == 0 && i < n; i++) {
        const struct mg_plenary_row *p = &rows[i];
        struct mg_registration_row *regs = NULL;
        struct mg_attendance_row *marks;
        size_t n_regs = 0, m = 0, k;

        if (strcmp(p->title, DEMO_KICKOFF) != 0 ||
            p->starts_at + 60L * p->minutes > mg_now())
            continue;
        for (j = 0; j < n_have; j++)
            if (have[j].plenary_id == p->id)
                break;
        if (j < n_have)
            continue;
        rc = mg_store_plenary_registrations(&regs, &n_regs, st, p->id, 1,
                                            MG_STORE_SEAT_REGISTERED, 0, 0);
        marks = mg_xcalloc(n_regs + 1, sizeof(*marks));
        for (k = 0; rc == 0 && k < n_regs; k++, m++) {
            marks[m].participant_id = regs[k].participant_id;
            marks[m].present = k % 8 != 7;
            marks[m].minutes = marks[m].present ? p->minutes - 3 : 0;
            snprintf(marks[m].source, sizeof(marks[m].source), "zoom");
            marks[m].recorded_at = mg_now();
        }
        if (rc == 0)
            rc = mg_store_plenary_attendance_replace(st, p->id, 1, marks, m,
                                                     "zoom", 2);
        free(marks);
        mg_store_registrations_free(regs, n_regs);
    }
    free(have);
    mg_store_plenaries_free(rows, n);
    return rc;
}

/*
 * How the registered answered the kick-off's invitation from their
 * calendars, so the report has answers beside who came: of every eight,
 * five accepted, one said maybe, one did not answer and one declined
 * (the one who then did not come). Only for the demo's own kick-off,
 * and only when it has no answers yet.
 */
/* The circle's sign-up page, open for late sign-ups who are placed at
 * once, up to 24 people; left as a coordinator set it on a later run. */
static int ensure_signup(struct mg_store *st, int64_t circle_id)
{
    struct mg_signup_settings s;
    int rc = mg_store_signup_get(&s, st, circle_id);

    if (rc == 0 && !s.updated_at) {
        s.circle_id = circle_id;
        s.open = 1;
        s.capacity = 24;
        s.auto_place = 1;
        s.regions = mg_xstrdup("Auckland\nWaikato\nWellington\nCanterbury\n"
                               "Otago");
        rc = mg_store_signup_put(st, &s);
    }
    mg_signup_settings_release(&s);
    return rc;
}

/* The circle's CPD tags (issue #19, item 3), so that its participants'
 * pages show journal rows for the calls held: facilitating or joining a
 * book group is LIANZA's own example of BoK 4; left as a coordinator
 * set them on a later run. */
static int ensure_cpd(struct mg_store *st, int64_t circle_id)
{
    struct mg_cpd_settings s;
    int rc = mg_cpd_settings_get(&s, st, circle_id);

    if (rc == 0 && !s.updated_at) {
        s.areas = mg_xstrdup("bok3,bok4,bok11");
        s.domains = mg_xstrdup("knowing,sharing");
        rc = mg_cpd_settings_put(st, &s);
    }
    mg_cpd_settings_release(&s);
    return rc;
}

static int ensure_kickoff_answers(struct mg_store *st, int64_t circle_id)
{
    struct mg_plenary_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_store_plenaries_list(&rows, &n, st, circle_id);

    for (i = 0; rc == 0 && i < n; i++) {
        const struct mg_plenary_row *p = &rows[i];
        struct mg_plenary_rsvp_count *c = NULL;
        struct mg_registration_row *regs = NULL;
        struct mg_store_tx *tx = NULL;
        size_t n_regs = 0, k;

        if (strcmp(p->title, DEMO_KICKOFF) != 0 || p->weeks < 1)
            continue;
        rc = mg_store_plenary_rsvp_counts(&c, st, p->id, p->weeks);
        if (rc == 0 && c[0].accepted + c[0].declined + c[0].tentative == 0)
            rc = mg_store_plenary_registrations(&regs, &n_regs, st, p->id, 1,
                                                MG_STORE_SEAT_REGISTERED, 0, 0);
        free(c);
        if (rc == 0 && n_regs)
            rc = mg_store_begin(&tx, st);
        for (k = 0; rc == 0 && tx && k < n_regs; k++) {
            enum mg_store_rsvp_status status =
                k % 8 == 5   ? MG_STORE_RSVP_TENTATIVE
                : k % 8 == 7 ? MG_STORE_RSVP_DECLINED
                             : MG_STORE_RSVP_ACCEPTED;

            if (k % 8 == 6)
                continue;
            rc =
                mg_store_tx_plenary_rsvp_save(tx, p->id, regs[k].participant_id,
                                              1, p->weeks, status, "email", 0);
        }
        if (tx && rc == 0)
            rc = mg_store_commit(tx);
        else if (tx)
            mg_store_rollback(tx);
        mg_store_registrations_free(regs, n_regs);
    }
    mg_store_plenaries_free(rows, n);
    return rc;
}

static int ensure_circle(int64_t *id, struct mg_store *st)
{
    struct mg_circle *found = NULL;
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_error err = {{0}, {0}};
    int rc = mg_store_circle_get_by_slug(&found, st, DEMO_SLUG);

    if (rc == 0) {
        *id = found->id;
        mg_circle_free(found);
        return 0;
    }
    if (rc != MG_ENOTFOUND)
        return rc;
    memset(&c, 0, sizeof(c));
    c.slug = mg_xstrdup(DEMO_SLUG);
    c.title = mg_xstrdup("The Atlas of New Librarianship: a reading circle");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    demo_start(c.start_date, sizeof(c.start_date));
    c.attendance_target = 6;
    c.weeks = 4;
    c.slots = mg_xcalloc(1, sizeof(*c.slots));
    c.slots[0] = slot;
    c.n_slots = 1;
    c.group_min = 6;
    c.group_max = 8;
    c.video_url = mg_xstrdup("https://meet.example.org/atlas-circle");
    c.organizer_name = mg_xstrdup("Reading circle coordinators");
    c.organizer_email = mg_xstrdup("circles@example.org");
    memcpy(c.language, "en", 3);
    rc = mg_circle_validate(&c, &err);
    if (rc < 0)
        cli_error("demo circle is invalid: %s", err.message);
    if (rc == 0)
        rc = mg_store_circle_create(st, &c);
    *id = c.id;
    mg_circle_release(&c);
    return rc;
}

struct demo {
    const char *listen;
    const char *maildir;
    int64_t circle_id;
    char token[MG_TOKEN_LEN + 1];
    char feed[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    char *feed_owner;
    const char *mime_secret;
    char *facilitator; /* of group 1, to post the sample summary as */
    char *facilitator_name;
    char page[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];  /* feed_owner's */
    char fpage[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1]; /* facilitator's */
};

/* A facilitator of the group at `position`: their address (or NULL),
 * with their id and name (free() both strings). */
static char *group_facilitator(int64_t *id, char **name, struct mg_store *st,
                               int64_t circle_id, int position)
{
    struct mg_group_row *groups = NULL;
    struct mg_participant *people = NULL;
    struct mg_people_filter f;
    size_t n_groups = 0, n = 0, i, j;
    char *email = NULL;

    memset(&f, 0, sizeof(f));
    f.role = "facilitator";
    if (mg_store_groups_list(&groups, &n_groups, st, circle_id) == 0 &&
        mg_store_participants_list(&people, &n, st, circle_id, &f) == 0) {
        for (i = 0; i < n_groups && !email; i++)
            for (j = 0; j < n && !email; j++)
                if (groups[i].position == position &&
                    people[j].group_id == groups[i].id) {
                    email = mg_xstrdup(people[j].email);
                    *id = people[j].id;
                    *name = mg_xstrdup(people[j].name);
                }
    }
    mg_store_groups_free(groups, n_groups);
    mg_participants_free(people, n);
    return email;
}

static void print_welcome(int port, void *arg)
{
    struct demo *d = arg;
    char base[128];

    snprintf(base, sizeof(base), "http://%s:%d", d->listen, port);
    printf("\nmingle demo is serving %s\n\n"
           "  health:        curl %s/healthz\n"
           "  metrics:       curl %s/metrics\n"
           "  the circle:    curl -H 'Authorization: Bearer %s' "
           "%s/api/v1/circles/%lld\n"
           "  all circles:   curl -H 'Authorization: Bearer %s' "
           "%s/api/v1/circles\n"
           "  its threads:   curl -H 'Authorization: Bearer %s' "
           "%s/api/v1/circles/%lld/threads\n"
           "  weekly plan:   curl -H 'Authorization: Bearer %s' "
           "'%s/api/v1/circles/%lld/readings?plan=thread'\n"
           "  the groups:    curl -H 'Authorization: Bearer %s' "
           "%s/api/v1/circles/%lld/groups\n"
           "  the report:    curl -H 'Authorization: Bearer %s' "
           "'%s/api/v1/circles/%lld/report?format=markdown' (the groups' "
           "calls and the kick-off webinar's)\n\n"
           "  a calendar:    %s/cal/%s.ics (%s's; webcal:// works too)\n"
           "  invitations:   the emails sent to each member are in %s/new/\n\n",
           base, base, base, d->token, base, (long long)d->circle_id, d->token,
           base, d->token, base, (long long)d->circle_id, d->token, base,
           (long long)d->circle_id, d->token, base, (long long)d->circle_id,
           d->token, base, (long long)d->circle_id, base, d->feed,
           d->feed_owner ? d->feed_owner : "a member", d->maildir);
    printf("Pages, in a browser:\n"
           "  coordinator:   %s/dashboard (log in with the token above)\n"
           "  sign-up:       %s/join/%s (open: a confirmed late sign-up is "
           "placed at once)\n",
           base, base, DEMO_SLUG);
    if (d->page[0])
        printf("  participant:   %s/p/%s (%s's page)\n", base, d->page,
               d->feed_owner);
    if (d->fpage[0])
        printf("  facilitator:   %s/p/%s (%s's page)\n", base, d->fpage,
               d->facilitator_name);
    if (d->page[0])
        printf("  certificate:   %s/p/%s/certificate.pdf (%s's certificate "
               "of participation for the calls held so far; anyone checks "
               "its code at %s/verify/<code>)\n"
               "  CPD record:    on that page, with its CSV and XLSX "
               "(%s/p/%s/cpd.xlsx)\n"
               "  survey:        open now, a few answers in; its results are "
               "on the dashboard and in the report\n",
               base, d->page, d->feed_owner, base, base, d->page);
    printf("  spreadsheets:  curl -H 'Authorization: Bearer %s' -o "
           "attendance.xlsx %s/api/v1/circles/%lld/export/attendance.xlsx "
           "(also roster, groups, rsvps, survey, report, cpd; .csv too)\n",
           d->token, base, (long long)d->circle_id);
    printf("\n");
    if (d->facilitator)
        printf("A facilitator mails group 1's summary of week 1 (the mail "
               "webhook, as a local MTA would call it):\n"
               "  printf 'From: <%s>\\r\\nTo: <%s+g1-w1@circles.example.org>"
               "\\r\\nSubject: Week 1 summary\\r\\n\\r\\nWe "
               "talked about what a library is for.\\r\\n' | curl "
               "--data-binary @- '%s/hooks/mail/mime?secret=%s'\n"
               "and the week's digest shows it:\n"
               "  curl -H 'Authorization: Bearer %s' "
               "'%s/api/v1/circles/%lld/notes/digest?week=1'\n\n",
               d->facilitator, DEMO_SLUG, base, d->mime_secret, d->token, base,
               (long long)d->circle_id);
    printf("The coordinator token and the page addresses above were made for "
           "this run;\nearlier ones are revoked. Press Ctrl-C to stop.\n\n");
    fflush(stdout);
}

static int demo(struct cli_ctx *ctx)
{
    struct mg_config *cfg = &ctx->cfg;
    struct mg_store *st = ctx->st;
    struct mg_token tok;
    struct demo d;
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int revoked = 0;
    int rc = 1;

    memset(&d, 0, sizeof(d));
    if (ensure_circle(&d.circle_id, st) < 0) {
        cli_error("cannot set up the demo circle in '%s'", cfg->db);
        goto out;
    }
    if (ensure_book(st, d.circle_id) < 0) {
        cli_error("cannot load the demo book into '%s'", cfg->db);
        goto out;
    }
    if (ensure_people(st, d.circle_id) < 0 ||
        ensure_attendance(st, d.circle_id) < 0 ||
        ensure_kickoff(st, d.circle_id) < 0 ||
        ensure_kickoff_attendance(st, d.circle_id) < 0 ||
        ensure_kickoff_answers(st, d.circle_id) < 0 ||
        ensure_signup(st, d.circle_id) < 0 || ensure_cpd(st, d.circle_id) < 0 ||
        cli_survey_demo(st, d.circle_id) < 0) {
        cli_error("cannot register the demo participants in '%s'", cfg->db);
        goto out;
    }
    memset(&tok, 0, sizeof(tok));
    tok.role = MG_ROLE_COORDINATOR;
    snprintf(tok.label, sizeof(tok.label), "%s", DEMO_LABEL);
    mg_auth_token_new(d.token, tok.public_id, hash);
    if (mg_store_token_revoke_label(&revoked, st, DEMO_LABEL) < 0 ||
        mg_store_token_insert(st, &tok, hash) < 0) {
        cli_error("cannot make a demo token in '%s'", cfg->db);
        goto out;
    }
    {
        /* The first participant's page (with its calendar address) and
         * a facilitator's, made afresh each run: only their hashes are
         * kept, so they can only be shown when they are made. */
        struct mg_people_filter f;
        struct mg_participant *first = NULL;
        int64_t fid = 0;
        size_t n = 0;
        memset(&f, 0, sizeof(f));
        f.role = "participant";
        f.limit = 1;
        if (mg_store_participants_list(&first, &n, st, d.circle_id, &f) == 0 &&
            n == 1 &&
            mg_calendar_page_token(d.page, st, d.circle_id, first[0].id) == 0) {
            mg_calendar_page_feed_token(d.feed, d.page);
            d.feed_owner = mg_xstrdup(first[0].name);
        } else {
            d.page[0] = '\0';
        }
        mg_participants_free(first, n);
        d.facilitator =
            group_facilitator(&fid, &d.facilitator_name, st, d.circle_id, 1);
        if (!d.facilitator ||
            mg_calendar_page_token(d.fpage, st, d.circle_id, fid) < 0)
            d.fpage[0] = '\0';
    }
    if (!cfg->mime_secret) {
        /* The mail webhook for a local MTA, with a secret for this run. */
        unsigned char raw[16];
        char hex[33];

        mg_random_bytes(raw, sizeof(raw));
        mg_hex(hex, raw, sizeof(raw));
        cfg->mime_secret = mg_xstrdup(hex);
    }
    d.mime_secret = cfg->mime_secret;
    d.listen = cfg->listen;
    d.maildir = cfg->maildir;
    rc = cli_run_daemon(cfg, st, print_welcome, &d);
out:
    free(d.feed_owner);
    free(d.facilitator);
    free(d.facilitator_name);
    return rc;
}

const struct cli_command cli_demo = {
    .name = "demo",
    .summary = "set up a demo circle and serve it",
    .needs = CLI_DAEMON,
    .run = demo,
    .about =
        "Create or reuse a demo database (./mingle-demo.db unless --db or\n"
        "$MINGLE_DB says otherwise) holding a four-week reading circle on The\n"
        "Atlas of New Librarianship (Pacific/Auckland, Tuesdays 19:30 for 60\n"
        "minutes, groups of 6-8) with a kick-off webinar whose attendance and\n"
        "calendar answers are recorded beside the groups' in the success\n"
        "report, then serve it and print what to try.\n",
    .options = cli_serve_options,
    .default_db = "mingle-demo.db",
};
