/*
 * bench_survey.c: the evaluation survey of a large circle (issue 19,
 * item 1). Registers N people (default 50,000) in a four-week circle,
 * plans their groups and calls, records everyone present at week 1's
 * call, then:
 *
 *   - opens the survey and runs the opening rounds (mg_survey_round, 500
 *     people a transaction, as the scheduler does) until every person
 *     who came has their mail queued: time and mails per second, and a
 *     round with nothing due;
 *   - saves answers (anonymous) from 10% of them, one transaction each
 *     as the page does: time per answer;
 *   - the results (mg_survey_results_load: every answer loaded and
 *     tallied) and the whole success report with them (mg_report_load
 *     and its JSON and Markdown);
 *   - the process's peak RSS.
 *
 * The 200-person circle is run first, beside the N-person one. Prints
 * figures; no assertions.
 *
 *   ./build/tests/bench/bench_survey [people]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/jobs.h"
#include "mingle/json.h"
#include "mingle/mail.h"
#include "mingle/report.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "mingle/survey.h"
#include "support.h"

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

/* Everyone in a week-1 call's group present at it. */
static int record_week1(struct mg_store *st, int64_t circle_id,
                        const struct mg_session_row *s, size_t n_s)
{
    struct mg_participant *all = NULL;
    struct mg_people_filter f;
    size_t n = 0, i, k;
    int rc;

    memset(&f, 0, sizeof(f));
    rc = mg_store_participants_list(&all, &n, st, circle_id, &f);
    for (k = 0; rc == 0 && k < n_s; k++) {
        struct mg_attendance_row *rows;
        size_t m = 0;

        if (s[k].week != 1)
            continue;
        rows = mg_xcalloc(n + 1, sizeof(*rows));
        for (i = 0; i < n; i++)
            if (all[i].group_id == s[k].group_id) {
                rows[m].participant_id = all[i].id;
                rows[m].present = 1;
                rows[m].minutes = 55;
                snprintf(rows[m].source, sizeof(rows[m].source), "zoom");
                m++;
            }
        rc = mg_store_attendance_replace(st, s[k].id, rows, m);
        free(rows);
    }
    mg_participants_free(all, n);
    return rc;
}

static int run(size_t n)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/survey.db", dir);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    struct mg_jobs_config cfg = {"https://circles.example.org",
                                 "lists.example.org", "mingle@example.org"};
    struct mg_session_row *sessions = NULL;
    struct mg_survey s;
    struct mg_survey_results res;
    struct mg_report rep;
    struct mg_job_person *who = NULL;
    struct mg_buf out = MG_BUF_INIT;
    struct rusage ru;
    size_t i, n_sessions = 0, mails = 0, rounds = 0, n_who = 0, answered = 0;
    double t0, t_open, t_idle, t_answers, t_results, t_report, t_json, t_md;
    int64_t now;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_survey: %s\n", err.message);
        return 1;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Survey bench");
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
    if (mg_store_circle_create(st, &c) < 0)
        return 1;
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            i % 8 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xasprintf("Region %zu", i % 10);
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) < 0)
        return 1;
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        return 1;
    mg_assign_release(&a);
    if (mg_calendar_create_sessions(st, c.id) < 0 ||
        mg_store_sessions_for_circle(&sessions, &n_sessions, st, c.id) < 0 ||
        record_week1(st, c.id, sessions, n_sessions) < 0)
        return 1;

    /* a round with nothing due */
    now = sessions[0].starts_at;
    t0 = mg_monotonic();
    for (i = 0; i < 100; i++)
        if (mg_survey_round(NULL, st, &cfg, now, 500) < 0)
            return 1;
    t_idle = (mg_monotonic() - t0) / 100;

    /* opened now: the rounds until everyone who came is mailed */
    if (mg_survey_open_now(st, c.id, now) < 0)
        return 1;
    t0 = mg_monotonic();
    for (;;) {
        size_t m = 0;

        if (mg_survey_round(&m, st, &cfg, now, 500) < 0)
            return 1;
        rounds++;
        if (!m)
            break;
        mails += m;
    }
    t_open = mg_monotonic() - t0;

    /* answers from 10% of them */
    if (mg_survey_load(&s, NULL, NULL, st, c.id) < 0 ||
        mg_store_survey_recipients(&who, &n_who, st, c.id, 0, (int)n + 1) < 0)
        return 1;
    t0 = mg_monotonic();
    for (i = 0; i < n_who; i++) {
        struct mg_survey_answer ans[5];
        char edit[40];
        size_t k = 0;

        if (i % 10 != 3)
            continue;
        memset(ans, 0, sizeof(ans));
        snprintf(ans[k].question, sizeof(ans[k].question), "useful");
        ans[k++].value = 1 + (int)(i % 5);
        snprintf(ans[k].question, sizeof(ans[k].question), "facilitator");
        ans[k++].value = 1 + (int)(i % 4);
        snprintf(ans[k].question, sizeof(ans[k].question), "pace");
        ans[k++].value = (int)(i % 3);
        snprintf(ans[k].question, sizeof(ans[k].question), "recommend");
        ans[k++].value = (int)(i % 3);
        if (i % 10 == 0) {
            snprintf(ans[k].question, sizeof(ans[k].question), "change");
            ans[k++].text = (char *)"More time for the second thread.";
        }
        if (mg_survey_answer_save(edit, st, &s, c.id, who[i].id, NULL, ans, k) <
            0)
            return 1;
        answered++;
    }
    t_answers = mg_monotonic() - t0;
    mg_store_job_people_free(who, n_who);
    mg_survey_release(&s);

    t0 = mg_monotonic();
    if (mg_survey_results_load(&res, st, c.id) < 0)
        return 1;
    t_results = mg_monotonic() - t0;
    t0 = mg_monotonic();
    if (mg_report_load(&rep, st, c.id) < 0)
        return 1;
    t_report = mg_monotonic() - t0;
    t0 = mg_monotonic();
    mg_json_report_write(&out, &rep);
    t_json = mg_monotonic() - t0;
    out.len = 0;
    t0 = mg_monotonic();
    mg_report_markdown(&out, &rep);
    t_md = mg_monotonic() - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_survey: %zu people, %zu calls; %d came to week 1\n"
           "  round with nothing due     %8.3f ms\n"
           "  opening mail               %8.2f s  (%zu mails, 500 a "
           "transaction, %.0f/s)\n"
           "  answers saved              %8.2f s  (%zu, %.2f ms each)\n"
           "  results loaded, tallied    %8.3f s  (%d responses, rate %.2f)\n"
           "  success report with them   %8.3f s  (JSON %.3f s, Markdown "
           "%.3f s)\n"
           "  peak RSS                   %8.1f MiB\n",
           n, n_sessions, res.attendees, t_idle * 1000, t_open, mails,
           t_open > 0 ? mails / t_open : 0.0, t_answers, answered,
           answered ? t_answers * 1000 / answered : 0.0, t_results,
           res.responses, res.rate, t_report, t_json, t_md,
           ru.ru_maxrss / 1024.0);
    mg_buf_release(&out);
    mg_report_release(&rep);
    mg_survey_results_release(&res);
    free(sessions);
    mg_participants_free(people, n);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 50000;
    int rc;

    mg_log_set_level(MG_LOG_ERROR);
    mg_mail_init();
    rc = run(200);
    if (rc == 0 && n != 200)
        rc = run(n);
    mg_mail_shutdown();
    mg_schedule_shutdown();
    return rc;
}
