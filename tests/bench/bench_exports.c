/*
 * bench_exports.c: a circle's spreadsheets (issue 19, item 4) as the
 * circle grows. Builds a four-week circle of N people (default 50,000)
 * once, through the store as the other benches do (people inserted,
 * groups planned, sessions made), then gives it what the exports read:
 * weeks 1 and 2 recorded for every group (two in three present, some
 * with a report's minutes), a kick-off plenary with a tenth of the
 * circle registered and its call recorded, and an answer from half the
 * people to each of their four calls (written with SQL here: the set-up
 * is not what is measured). Then, for each kind and format:
 *
 *   - `mingle export --out FILE` end to end (a process of its own: its
 *     wall time and peak RSS from wait4), and
 *   - GET /api/v1/circles/{id}/export/{what}.{fmt} from a running daemon
 *     (the median of three, and the daemon's peak RSS while serving it:
 *     VmHWM, reset before each).
 *
 * The 200-person circle is run first, beside the N-person one. Prints
 * figures; no assertions.
 *
 *   ./build/tests/bench/bench_exports [N]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/store.h"
#include "support.h"

static const char *const kinds[] = {"roster", "groups", "attendance", "rsvps",
                                    "report"};
static const char *const formats[] = {"csv", "xlsx"};
#define N_KINDS 5
#define N_FORMATS 2

struct figures {
    size_t people;
    double build_s;
    double cli_s[N_KINDS][N_FORMATS];
    long cli_kib[N_KINDS][N_FORMATS];
    double http_ms[N_KINDS][N_FORMATS];
    long http_kib[N_KINDS][N_FORMATS];
    size_t bytes[N_KINDS][N_FORMATS];
};

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The circle: people, groups, sessions through the store; marks, a
 * plenary and answers with SQL. Its id in *circle. */
static int build(const char *db, size_t n, int64_t *circle)
{
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    sqlite3 *h = NULL;
    char *sql;
    size_t i;
    int rc;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_exports: %s\n", err.message);
        return -1;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Exports bench");
    c.slug = mg_xstrdup("bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 6;
    c.group_max = 8;
    c.video_url = mg_xstrdup("https://meet.example.org/bench");
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    c.attendance_target = 5;
    if (mg_store_circle_create(st, &c) < 0)
        return -1;
    *circle = c.id;
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            i % 8 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xasprintf("Region %zu", i % 10);
        if (i % 3 == 0)
            people[i].time_zone = mg_xstrdup("Europe/London");
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) < 0)
        return -1;
    mg_participants_free(people, n);
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        return -1;
    mg_assign_release(&a);
    if (mg_calendar_create_sessions(st, c.id) < 0)
        return -1;
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    if (sqlite3_open(db, &h) != SQLITE_OK)
        return -1;
    sql = mg_xasprintf(
        "BEGIN;"
        "INSERT INTO attendance (session_id, participant_id, present, "
        "minutes, source, recorded_at) SELECT s.id, m.participant_id, "
        "m.participant_id %% 3 != 0, CASE WHEN m.participant_id %% 5 = 0 "
        "THEN 40 END, 'bench', 0 FROM sessions s JOIN memberships m ON "
        "m.group_id = s.group_id AND m.left_at IS NULL WHERE s.circle_id = "
        "%lld AND s.week <= 2;"
        "INSERT INTO plenaries (circle_id, title, starts_at, minutes, weeks, "
        "capacity, uid, created_at) VALUES (%lld, 'Kick-off', 1805700600, "
        "60, 1, 100000, 'bench-plenary@example.org', 0);"
        "INSERT INTO registrations (plenary_id, participant_id, status, "
        "updated_at) SELECT last_insert_rowid(), id, 'registered', 0 FROM "
        "participants WHERE circle_id = %lld AND id %% 10 = 0;"
        "INSERT INTO plenary_attendance (plenary_id, week, participant_id, "
        "present, minutes, source, recorded_at) SELECT plenary_id, 1, "
        "participant_id, participant_id %% 20 = 0, NULL, 'bench', 0 FROM "
        "registrations;"
        "INSERT INTO rsvps (session_id, participant_id, status, source, "
        "updated_at) SELECT s.id, m.participant_id, CASE WHEN s.week = 3 "
        "THEN 'declined' ELSE 'accepted' END, 'email', 0 FROM sessions s "
        "JOIN memberships m ON m.group_id = s.group_id AND m.left_at IS NULL "
        "WHERE s.circle_id = %lld AND m.participant_id %% 2 = 0;"
        "COMMIT;",
        (long long)*circle, (long long)*circle, (long long)*circle,
        (long long)*circle);
    rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "bench_exports: %s\n", sqlite3_errmsg(h));
    free(sql);
    sqlite3_close(h);
    return rc == SQLITE_OK ? 0 : -1;
}

/* `mingle export` into `out`: its wall seconds and peak RSS (KiB). */
static int run_cli(double *secs, long *kib, const char *db, int64_t circle,
                   const char *what, const char *format, const char *out)
{
    char id[32];
    struct rusage ru;
    int status = 0;
    double t0 = now_s();
    pid_t pid;

    snprintf(id, sizeof(id), "%lld", (long long)circle);
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);

        if (fd >= 0) {
            dup2(fd, 1);
            close(fd);
        }
        execl(MINGLE_BIN, "mingle", "export", "--db", db, "--circle", id,
              "--what", what, "--format", format, "--out", out, (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *secs = now_s() - t0;
    *kib = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void reset_peak(pid_t pid)
{
    char path[64];
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
    f = fopen(path, "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static long peak_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int run(struct figures *f, size_t n)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/exports.db", dir), *token = NULL;
    struct test_daemon d;
    int64_t circle = 0;
    int k, j, rc = -1;
    double t0 = now_s();

    f->people = n;
    if (build(db, n, &circle) < 0)
        goto out;
    f->build_s = now_s() - t0;
    for (k = 0; k < N_KINDS; k++)
        for (j = 0; j < N_FORMATS; j++) {
            char *out = mg_xasprintf("%s/%s.%s", dir, kinds[k], formats[j]);
            struct stat sb;

            if (run_cli(&f->cli_s[k][j], &f->cli_kib[k][j], db, circle,
                        kinds[k], formats[j], out) < 0) {
                fprintf(stderr, "mingle export %s %s failed\n", kinds[k],
                        formats[j]);
                free(out);
                goto out;
            }
            f->bytes[k][j] = stat(out, &sb) == 0 ? (size_t)sb.st_size : 0;
            free(out);
        }
    token = test_make_token(db, "coordinator");
    if (!token || test_daemon_start(&d, db, NULL, NULL) < 0)
        goto out;
    for (k = 0; k < N_KINDS; k++)
        for (j = 0; j < N_FORMATS; j++) {
            char path[128];
            double t[3];
            long peak = 0;
            int i;

            snprintf(path, sizeof(path), "/api/v1/circles/%lld/export/%s.%s",
                     (long long)circle, kinds[k], formats[j]);
            for (i = 0; i < 3; i++) {
                struct test_response resp;
                double r0;
                long p;

                reset_peak(d.pid);
                r0 = now_s();
                if (test_http(&resp, d.port, "GET", path, token, NULL, NULL) <
                        0 ||
                    resp.status != 200) {
                    fprintf(stderr, "GET %s failed\n", path);
                    test_response_release(&resp);
                    test_daemon_stop(&d, 15);
                    goto out;
                }
                t[i] = (now_s() - r0) * 1000;
                p = peak_kib(d.pid);
                if (p > peak)
                    peak = p;
                test_response_release(&resp);
            }
            qsort(t, 3, sizeof(t[0]), by_value);
            f->http_ms[k][j] = t[1];
            f->http_kib[k][j] = peak;
        }
    test_daemon_stop(&d, 15);
    rc = 0;
out:
    free(token);
    free(db);
    test_rmdir(dir);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 50000;
    struct figures small, big;
    int k, j;

    memset(&small, 0, sizeof(small));
    memset(&big, 0, sizeof(big));
    if (run(&small, 200) < 0 || run(&big, n) < 0)
        return 1;
    printf("circle built (store + SQL set-up): %.1f s at 200, %.1f s at "
           "%zu\n\n",
           small.build_s, big.build_s, n);
    printf("%-16s %10s %10s %10s %10s %10s %10s %11s %11s\n", "export",
           "cli 200", "cli N", "MiB 200", "MiB N", "http 200", "http N",
           "dMiB 200", "dMiB N");
    for (k = 0; k < N_KINDS; k++)
        for (j = 0; j < N_FORMATS; j++) {
            char name[32];

            snprintf(name, sizeof(name), "%s.%s", kinds[k], formats[j]);
            printf("%-16s %8.0fms %8.0fms %10.1f %10.1f %8.0fms %8.0fms "
                   "%11.1f %11.1f   (%zu KB at N)\n",
                   name, small.cli_s[k][j] * 1000, big.cli_s[k][j] * 1000,
                   small.cli_kib[k][j] / 1024.0, big.cli_kib[k][j] / 1024.0,
                   small.http_ms[k][j], big.http_ms[k][j],
                   small.http_kib[k][j] / 1024.0, big.http_kib[k][j] / 1024.0,
                   big.bytes[k][j] / 1024);
        }
    printf("\ncli: `mingle export --out FILE`, wall time and peak RSS of the "
           "process;\nhttp: GET .../export/{what}.{fmt}, median of 3, and the "
           "daemon's peak RSS\nwhile serving it (VmHWM reset before each "
           "request).\n");
    return 0;
}
