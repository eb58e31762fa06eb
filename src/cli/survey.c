/*
 * survey.c: `mingle survey show|set|open|close --circle ID`, a circle's
 * evaluation survey from the command line: its questions, when it opens
 * and closes, whether it is anonymous, how many answered and the results
 * so far. The same settings as GET/PUT /api/v1/circles/{id}/survey (the
 * JSON is the json module's, the rules the survey module's). A daemon
 * running on the same database sends the opening mail when it is due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "mingle/json.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "mingle/survey.h"

#include "banned.h"

static void print_when(const char *label, const struct mg_circle *c, int64_t t,
                       const char *otherwise)
{
    char when[24];

    if (!t) {
        printf("  %-10s %s\n", label, otherwise);
        return;
    }
    mg_schedule_local_text(when, sizeof(when), c->time_zone, t, ' ');
    printf("  %-10s %s (%s)\n", label, when, c->time_zone);
}

static int print_survey(struct cli_ctx *ctx)
{
    const struct mg_circle *c = ctx->circle;
    struct mg_survey s;
    struct mg_survey_results res;
    int64_t opens = 0, closes = 0, due = 0, mails = 0, cursor = 0;
    char status[16];
    size_t i, k;
    int rc = mg_survey_load(&s, &opens, &closes, ctx->st, c->id);

    memset(&res, 0, sizeof(res));
    if (rc == 0)
        rc = mg_store_survey_job_get(status, &due, &mails, &cursor, ctx->st,
                                     c->id);
    if (rc == 0)
        rc = mg_survey_results_load(&res, ctx->st, c->id);
    if (rc < 0) {
        cli_error("cannot read circle %lld's survey: %s", (long long)c->id,
                  mg_strerror(rc));
        mg_survey_release(&s);
        return 1;
    }
    if (ctx->v.json) {
        struct mg_json_survey_facts f;
        json_t *doc;
        char *text;

        memset(&f, 0, sizeof(f));
        f.time_zone = c->time_zone;
        f.opens_at = opens;
        f.closes_at = closes;
        f.now = mg_now();
        f.responses = res.responses;
        f.attendees = res.attendees;
        f.job_status = status;
        f.job_mails = mails;
        doc = mg_json_survey_value(&s, &f);
        json_object_set_new(doc, "results", mg_json_survey_results_value(&res));
        text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        printf("%s\n", text ? text : "null");
        free(text);
        json_decref(doc);
        goto out;
    }
    printf(
        "circle %lld: survey %s, %s\n", (long long)c->id,
        mg_survey_state_name(mg_survey_state_at(&s, opens, closes, mg_now())),
        s.anonymous ? "anonymous" : "named");
    print_when("opens:", c, opens, "after the last call (none planned yet)");
    print_when("closes:", c, closes, "14 days after it opens");
    printf("  mail:      %s%s, %lld sent\n",
           status[0] ? status : "not scheduled",
           status[0] && strcmp(status, "queued") == 0 ? " (waiting)" : "",
           (long long)mails);
    printf("  answered:  %d of the %d who came to a call (%.0f%%)\n",
           res.responses, res.attendees, 100.0 * res.rate);
    printf("  questions: %s\n", s.custom ? "the coordinator's" : "the default");
    for (i = 0; i < res.n_questions; i++) {
        const struct mg_survey_tally *t = &res.questions[i];

        printf("  [%s] %s (%s%s): %d answered", t->id, t->text,
               mg_survey_kind_name(t->kind),
               s.questions[i].required ? ", required" : "", t->answered);
        if (t->kind == MG_SURVEY_KIND_SCALE && t->answered)
            printf(", average %.2f", t->mean);
        printf("\n");
        for (k = 0; k < t->n_counts; k++)
            printf("      %-24s %d\n", t->labels[k], t->counts[k]);
        for (k = 0; k < t->n_texts; k++)
            printf("      - %s\n", t->texts[k]);
    }
out:
    mg_survey_results_release(&res);
    mg_survey_release(&s);
    return 0;
}

/* "YYYY-MM-DDTHH:MM" (or a space for the T) in `tz`; "default": 0. */
static int parse_when(int64_t *out, const char *s, const char *tz)
{
    struct mg_local_time t;
    char sep = 0, rest = 0;

    memset(&t, 0, sizeof(t));
    if (strcmp(s, "default") == 0) {
        *out = 0;
        return 0;
    }
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%c", &t.year, &t.month, &t.day, &sep,
               &t.hour, &t.minute, &rest) != 6 ||
        (sep != 'T' && sep != ' '))
        return MG_EINVAL;
    return mg_schedule_local_to_utc(out, tz, &t, NULL);
}

/* Apply the options given to `s`; prints why not and returns nonzero. */
static int apply(struct mg_survey *s, const struct cli_ctx *ctx)
{
    const struct cli_values *v = &ctx->v;
    const char *tz = ctx->circle->time_zone;
    struct mg_error err = {{0}, {0}};

    if (v->opens_at && parse_when(&s->opens_at, v->opens_at, tz) < 0) {
        cli_error("--opens-at: '%s' is not YYYY-MM-DDTHH:MM (in %s) or "
                  "default",
                  v->opens_at, tz);
        return EXIT_USAGE;
    }
    if (v->closes_at && parse_when(&s->closes_at, v->closes_at, tz) < 0) {
        cli_error("--closes-at: '%s' is not YYYY-MM-DDTHH:MM (in %s) or "
                  "default",
                  v->closes_at, tz);
        return EXIT_USAGE;
    }
    if (v->anonymous)
        s->anonymous = strcasecmp(v->anonymous, "yes") == 0;
    if (v->questions) {
        struct mg_buf text = MG_BUF_INIT;
        json_error_t jerr;
        json_t *qs, *doc;
        int rc;

        if (strcmp(v->questions, "default") == 0) {
            qs = json_null();
        } else {
            if (cli_read_file(&text, v->questions) != 0)
                return 1;
            qs = json_loadb(text.data ? text.data : "", text.len, 0, &jerr);
            mg_buf_release(&text);
            if (!qs) {
                cli_error("--questions: '%s' is not JSON: %s (line %d)",
                          v->questions, jerr.text, jerr.line);
                return EXIT_USAGE;
            }
        }
        doc = json_pack("{s:o}", "questions", qs);
        rc = mg_json_survey_update(s, doc, tz, &err);
        json_decref(doc);
        if (rc < 0) {
            cli_error("--questions: %s: %s", err.field, err.message);
            return EXIT_USAGE;
        }
    }
    return 0;
}

static int set_run(struct cli_ctx *ctx)
{
    struct mg_survey s;
    struct mg_error err = {{0}, {0}};
    int rc = mg_survey_load(&s, NULL, NULL, ctx->st, ctx->circle->id);
    int code;

    if (rc < 0) {
        cli_error("cannot read circle %lld's survey: %s",
                  (long long)ctx->circle->id, mg_strerror(rc));
        return 1;
    }
    code = apply(&s, ctx);
    if (code == 0) {
        rc = mg_survey_save(ctx->st, ctx->circle->id, &s, &err);
        if (rc == MG_EINVAL) {
            cli_error("--%s: %s",
                      strncmp(err.field, "questions", 9) == 0 ? "questions"
                      : strcmp(err.field, "opens_at") == 0    ? "opens-at"
                      : strcmp(err.field, "closes_at") == 0   ? "closes-at"
                                                              : err.field,
                      err.message);
            code = EXIT_USAGE;
        } else if (rc < 0) {
            cli_error("cannot save circle %lld's survey: %s",
                      (long long)ctx->circle->id, mg_strerror(rc));
            code = 1;
        }
    }
    mg_survey_release(&s);
    return code ? code : print_survey(ctx);
}

static int open_run(struct cli_ctx *ctx)
{
    int rc = mg_survey_open_now(ctx->st, ctx->circle->id, mg_now());

    if (rc < 0) {
        cli_error("cannot open circle %lld's survey: %s",
                  (long long)ctx->circle->id, mg_strerror(rc));
        return 1;
    }
    return print_survey(ctx);
}

static int close_run(struct cli_ctx *ctx)
{
    int rc = mg_survey_close_now(ctx->st, ctx->circle->id, mg_now());

    if (rc < 0) {
        cli_error("cannot close circle %lld's survey: %s",
                  (long long)ctx->circle->id, mg_strerror(rc));
        return 1;
    }
    return print_survey(ctx);
}

static const char *const yes_no[] = {"yes", "no", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "opens-at",
     .kind = CLI_TEXT,
     .arg = "WHEN",
     .help = "open it then: YYYY-MM-DDTHH:MM in the circle's time zone,\n"
             "or default (the end of the last call)",
     .offset = CLI_AT(opens_at)},
    {.name = "closes-at",
     .kind = CLI_TEXT,
     .arg = "WHEN",
     .help = "close it then, or default (14 days after it opens)",
     .offset = CLI_AT(closes_at)},
    {.name = "anonymous",
     .kind = CLI_CHOICE,
     .arg = "yes|no",
     .help = "keep answers without names (fixed once answers come in)",
     .offset = CLI_AT(anonymous),
     .choices = yes_no},
    {.name = "questions",
     .kind = CLI_TEXT,
     .arg = "FILE",
     .help = "the questions as a JSON list (as the API's \"questions\"),\n"
             "or default",
     .offset = CLI_AT(questions)},
    {.name = "json",
     .kind = CLI_FLAG,
     .help = "print the survey as the API's JSON",
     .offset = CLI_AT(json)},
    {.name = NULL}};

static int show_run(struct cli_ctx *ctx)
{
    return print_survey(ctx);
}

static const struct cli_command actions[] = {
    {.name = "show",
     .requires = "circle",
     .usage = "[--json]",
     .needs = CLI_CIRCLE,
     .run = show_run},
    {.name = "set",
     .requires = "circle",
     .usage = "[--questions FILE] [--opens-at WHEN] [--closes-at WHEN] "
              "[--anonymous yes|no]",
     .needs = CLI_CIRCLE,
     .run = set_run},
    {.name = "open",
     .requires = "circle",
     .needs = CLI_CIRCLE,
     .run = open_run},
    {.name = "close",
     .requires = "circle",
     .needs = CLI_CIRCLE,
     .run = close_run},
    {.name = NULL}};

const struct cli_command cli_survey = {
    .name = "survey",
    .summary = "show, set, open and close a circle's evaluation survey",
    .about = "Show or change a circle's evaluation survey: its questions\n"
             "(1-5 scales, single and multiple choice, free text; a "
             "default\nset until you give your own), when it opens (the "
             "end of the\nlast call unless set) and closes (14 days later "
             "unless set),\nand whether answers are anonymous. open opens "
             "it now and close\ncloses it now; a running daemon mails each "
             "person who came to a\ncall their link when it opens. show "
             "prints the results so far.\n",
    .options = options,
    .actions = actions,
};

int cli_survey_demo(struct mg_store *st, int64_t circle_id)
{
    static const char *const changes[] = {
        "More time for the second thread, please.",
        "A shared notes page for quotes we liked.",
        "Keep the calls at an hour: it worked well."};
    struct mg_survey s;
    struct mg_job_person *people = NULL;
    size_t n = 0, i;
    int responses = 0, attendees = 0;
    int rc = mg_store_survey_counts(&responses, &attendees, st, circle_id);

    if (rc < 0 || responses > 0)
        return rc; /* answered already: the demo keeps what it has */
    rc = mg_survey_open_now(st, circle_id, mg_now());
    if (rc == 0)
        rc = mg_survey_load(&s, NULL, NULL, st, circle_id);
    if (rc < 0)
        return rc;
    rc = mg_store_survey_recipients(&people, &n, st, circle_id, 0, 7);
    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_survey_answer a[5];
        size_t k = 0;
        char edit[40];

        /* a few answers from people who came, some of them thorough */
        memset(a, 0, sizeof(a));
        snprintf(a[k].question, sizeof(a[k].question), "useful");
        a[k++].value = 3 + (int)(i % 3);
        snprintf(a[k].question, sizeof(a[k].question), "facilitator");
        a[k++].value = 5 - (int)(i % 2);
        snprintf(a[k].question, sizeof(a[k].question), "pace");
        a[k++].value = i % 4 == 3 ? 2 : 1;
        snprintf(a[k].question, sizeof(a[k].question), "recommend");
        a[k++].value = i % 5 == 4 ? 1 : 0;
        if (i < 3) {
            snprintf(a[k].question, sizeof(a[k].question), "change");
            a[k++].text = (char *)changes[i];
        }
        rc = mg_survey_answer_save(edit, st, &s, circle_id, people[i].id, NULL,
                                   a, k);
        memset(edit, 0, sizeof(edit));
    }
    mg_store_job_people_free(people, n);
    mg_survey_release(&s);
    return rc;
}
