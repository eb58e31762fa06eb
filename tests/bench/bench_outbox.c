/*
 * bench_outbox.c: `mingle outbox flush` to a maildir. For a circle of
 * 200 people and one of N (default 50,000), registers them in a fresh
 * database, plans their groups, makes the sessions and queues every
 * member's invitation (as bench_invites does), then times the real
 * `mingle outbox flush` delivering them all into a maildir, and counts
 * what arrived in new/. Prints both sizes side by side; no assertions.
 *
 *   ./build/tests/bench/bench_outbox [people]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "support.h"

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

/* A circle of `n` people in `db`, planned, with every invitation queued;
 * the number queued, or 0 on failure. */
static size_t queue_invitations(const char *db, size_t n)
{
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    size_t i, queued = 0;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_outbox: %s\n", err.message);
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Outbox bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 8;
    c.group_max = 12;
    c.video_url = mg_xstrdup("https://meet.example.org/bench");
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            i % 10 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xasprintf("Region %zu", i % 10);
    }
    if (mg_store_circle_create(st, &c) < 0 ||
        mg_store_participants_insert(NULL, st, c.id, people, n) < 0 ||
        mg_assign_load(&a, st, c.id) < 0) {
        queued = 0;
        goto out;
    }
    if (mg_assign_plan(&a, 1) == 0 && mg_assign_commit_plan(&a, st) == 0 &&
        mg_calendar_create_sessions(st, c.id) == 0 &&
        mg_calendar_reconcile(&queued, st, c.id, &err) < 0) {
        fprintf(stderr, "bench_outbox: %s\n", err.message);
        queued = 0;
    }
    mg_assign_release(&a);
out:
    mg_participants_free(people, n);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    return queued;
}

/* Run `mingle outbox flush` on `db` into `maildir`; its exit status,
 * and in *cpu the CPU seconds it used. */
static int run_flush(double *cpu, const char *db, const char *maildir,
                     const char *log)
{
    pid_t pid = fork();
    struct rusage ru;
    int status = 0;

    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        setenv("MINGLE_MAILDIR", maildir, 1);
        unsetenv("MINGLE_SMTP_URL");
        execl(MINGLE_BIN, "mingle", "outbox", "flush", "--db", db,
              (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static size_t count_files(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    size_t n = 0;

    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

struct result {
    size_t people, queued, arrived;
    double seconds, cpu;
    int status;
};

static int measure(struct result *r, size_t people)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/outbox.db", dir);
    char *maildir = mg_xasprintf("%s/mail", dir);
    char *log = mg_xasprintf("%s/flush.log", dir);
    char *newdir = mg_xasprintf("%s/new", maildir);
    double t0;

    memset(r, 0, sizeof(*r));
    r->people = people;
    r->queued = queue_invitations(db, people);
    if (r->queued) {
        t0 = mg_monotonic();
        r->status = run_flush(&r->cpu, db, maildir, log);
        r->seconds = mg_monotonic() - t0;
        r->arrived = count_files(newdir);
    }
    test_rmdir(dir);
    free(db);
    free(maildir);
    free(log);
    free(newdir);
    return r->queued ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 50000;
    struct result r[2];
    int i;

    mg_log_set_level(MG_LOG_ERROR);
    mg_mail_init();
    if (measure(&r[0], 200) < 0 || measure(&r[1], n) < 0) {
        fprintf(stderr, "bench_outbox: cannot queue the invitations\n");
        return 1;
    }
    printf("bench_outbox: `mingle outbox flush` of a circle's invitations "
           "to a maildir\n");
    printf("  %8s %10s %10s %10s %12s %10s\n", "people", "queued", "arrived",
           "seconds", "messages/s", "cpu s");
    for (i = 0; i < 2; i++)
        printf("  %8zu %10zu %10zu %10.2f %12.0f %10.2f%s\n", r[i].people,
               r[i].queued, r[i].arrived, r[i].seconds,
               r[i].seconds > 0 ? r[i].arrived / r[i].seconds : 0.0, r[i].cpu,
               r[i].status == 0 ? "" : "  (flush failed)");
    mg_mail_shutdown();
    mg_schedule_shutdown();
    return 0;
}
