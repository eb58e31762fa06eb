/*
 * bench_certificates.c: certificates of participation (issue #19, item
 * 2) for a circle of 200 and of N people (default 50,000). Registers the
 * people in a two-week circle, plans their groups, makes the calls and
 * records week 1's attendance (everyone but one in eight, a few minutes
 * short), then prints:
 *
 *   - PDFs per second: mg_certify_draw() alone, in this process;
 *   - at 200 people, `mingle certificate --circle ID --out DIR` run whole
 *     (the real binary, every file written);
 *   - at N people, the same work as the CLI does it, timed in this
 *     process on a sample: loading every person's participation (all N,
 *     as the CLI does), then drawing and writing SAMPLE certificates,
 *     extrapolated to everyone who has one (the run whole would take
 *     as many minutes as the figure says, on a machine shared with
 *     others);
 *   - the bytes of one certificate.
 *
 *   ./build/tests/bench/bench_certificates [people] [sample]
 *
 * Prints figures; no assertions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/certify.h"
#include "mingle/participation.h"
#include "mingle/store.h"
#include "support.h"

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

/* A circle of n people with week 1's attendance; its id, or 0. */
static int64_t make_circle(struct mg_store *st, size_t n)
{
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    struct mg_session_row *sessions = NULL;
    size_t i, n_sessions = 0, k;

    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Certificate bench");
    c.slug = mg_xstrdup("bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2025-03-17", 11);
    c.weeks = 2;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 6;
    c.group_max = 8;
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    if (mg_store_circle_create(st, &c) < 0)
        return 0;
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Pōtae Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            i % 8 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xasprintf("Region %zu", i % 10);
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) < 0)
        return 0;
    mg_participants_free(people, n);
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        return 0;
    mg_assign_release(&a);
    if (mg_calendar_create_sessions(st, c.id) < 0 ||
        mg_store_sessions_for_circle(&sessions, &n_sessions, st, c.id) < 0)
        return 0;
    {
        struct mg_people_filter f;
        struct mg_participant *all = NULL;
        size_t n_all = 0;

        memset(&f, 0, sizeof(f));
        if (mg_store_participants_list(&all, &n_all, st, c.id, &f) < 0)
            return 0;
        for (k = 0; k < n_sessions; k++) {
            struct mg_attendance_row *rows;
            size_t m = 0;

            if (sessions[k].week != 1 || !sessions[k].group_id)
                continue;
            rows = mg_xcalloc(n_all, sizeof(*rows));
            for (i = 0; i < n_all; i++) {
                if (all[i].group_id != sessions[k].group_id)
                    continue;
                rows[m].participant_id = all[i].id;
                rows[m].present = all[i].id % 8 != 3;
                rows[m].minutes = rows[m].present ? 55 : 0;
                snprintf(rows[m].source, sizeof(rows[m].source), "zoom");
                m++;
            }
            if (mg_store_attendance_replace(st, sessions[k].id, rows, m) < 0)
                return 0;
            free(rows);
        }
        mg_participants_free(all, n_all);
    }
    free(sessions);
    {
        int64_t id = c.id;
        c.slots = NULL;
        c.n_slots = 0;
        mg_circle_release(&c);
        return id;
    }
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;

    if (f)
        fclose(f);
    return ok ? 0 : -1;
}

/* Load everyone, then draw and write up to `sample` certificates as the
 * CLI does; the seconds each part took, and how many have one. */
static int in_process(double *t_load, double *t_draw, size_t *drawn,
                      size_t *eligible, size_t *bytes, struct mg_store *st,
                      int64_t circle, const char *out, size_t sample)
{
    struct mg_certify_circle *cc = NULL;
    struct mg_participation *p = NULL;
    size_t n = 0, i;
    double t0 = mg_monotonic();

    if (mg_participation_load(&p, &n, st, circle, 0) < 0 ||
        mg_certify_open(&cc, st, circle, "https://circles.example.org") < 0)
        return -1;
    *t_load = mg_monotonic() - t0;
    *drawn = *eligible = 0;
    for (i = 0; i < n; i++)
        *eligible += (size_t)mg_certify_eligible(&p[i]);
    t0 = mg_monotonic();
    for (i = 0; i < n && *drawn < sample; i++) {
        struct mg_certificate_issue issue;
        char *pdf = NULL, ascii[64], *path;
        size_t len = 0;

        if (!mg_certify_eligible(&p[i]))
            continue;
        if (mg_certify_draw(&pdf, &len, NULL, &issue, cc, &p[i], 1743000000) <
            0)
            return -1;
        mg_certify_ascii_name(ascii, sizeof(ascii), p[i].name);
        path = mg_xasprintf("%s/bench-%lld-%s.pdf", out,
                            (long long)p[i].person_id, ascii);
        if (write_file(path, pdf, len) < 0)
            return -1;
        *bytes = len;
        free(path);
        free(pdf);
        (*drawn)++;
    }
    *t_draw = mg_monotonic() - t0;
    mg_certify_close(cc);
    mg_participation_free(p, n);
    return 0;
}

static int run(size_t n, size_t sample, int whole_cli)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/certificates.db", dir);
    char *out = mg_xasprintf("%s/out", dir);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    size_t drawn = 0, eligible = 0, bytes = 0;
    double t0, t_setup, t_load, t_draw, per_pdf;
    int64_t circle;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_certificates: %s\n", err.message);
        return 1;
    }
    t0 = mg_monotonic();
    circle = make_circle(st, n);
    if (!circle) {
        fprintf(stderr, "bench_certificates: cannot make the circle\n");
        return 1;
    }
    t_setup = mg_monotonic() - t0;
    if (mkdir(out, 0777) != 0)
        return 1;
    if (in_process(&t_load, &t_draw, &drawn, &eligible, &bytes, st, circle, out,
                   sample) < 0) {
        fprintf(stderr, "bench_certificates: drawing failed\n");
        return 1;
    }
    per_pdf = drawn ? t_draw / (double)drawn : 0;
    printf("%6zu people (set up in %.1f s), %zu with a certificate:\n", n,
           t_setup, eligible);
    printf("  load everyone's participation   %8.3f s\n", t_load);
    printf("  draw + write %5zu PDFs          %8.3f s  (%.0f PDFs/s, %.2f "
           "ms each, %zu bytes)\n",
           drawn, t_draw, drawn ? (double)drawn / t_draw : 0, per_pdf * 1000,
           bytes);
    if (drawn < eligible)
        printf("  all %zu, extrapolated           %8.1f s  (%.1f min; the "
               "sample's rate times everyone, plus the load)\n",
               eligible, t_load + per_pdf * (double)eligible,
               (t_load + per_pdf * (double)eligible) / 60);
    if (whole_cli) {
        char id[24];
        char *cli_out = mg_xasprintf("%s/cli", dir), *o = NULL, *e = NULL;
        const char *argv[] = {"certificate", "--circle", id, "--out",
                              cli_out,       "--db",     db, NULL};
        int rc;

        snprintf(id, sizeof(id), "%lld", (long long)circle);
        t0 = mg_monotonic();
        rc = test_run_cli(&o, &e, argv, NULL);
        printf("  `mingle certificate` whole      %8.3f s  (exit %d: %s)\n",
               mg_monotonic() - t0, rc, o ? strtok(o, "\n") : "");
        free(o);
        free(e);
        free(cli_out);
    }
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    free(out);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 50000;
    size_t sample = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 2000;

    if (run(200, 200, 1) != 0)
        return 1;
    return run(n, sample, n <= 2000);
}
