/*
 * survey.c: a circle's evaluation survey as JSON (GET and PUT
 * /api/v1/circles/{id}/survey): its questions, when it opens and closes
 * (local times in the circle's zone; null: the defaults), whether it is
 * anonymous, its state and counts, and its results so far. A PUT changes
 * the fields it names and keeps the others; the document is json's, the
 * rules the survey module's.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/jobs.h"
#include "mingle/json.h"
#include "mingle/store.h"
#include "mingle/survey.h"

#include "banned.h"

static void reply_survey(struct request *r, const struct mg_circle *c)
{
    struct mg_survey s;
    struct mg_survey_results res;
    struct mg_json_survey_facts f;
    char status[16];
    int64_t due = 0, mails = 0, cursor = 0;
    json_t *doc;
    int rc;

    memset(&f, 0, sizeof(f));
    memset(&res, 0, sizeof(res));
    rc = mg_survey_load(&s, &f.opens_at, &f.closes_at, r->srv->store, c->id);
    if (rc == 0)
        rc = mg_store_survey_job_get(status, &due, &mails, &cursor,
                                     r->srv->store, c->id);
    if (rc == 0)
        rc = mg_survey_results_load(&res, r->srv->store, c->id);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        mg_survey_release(&s);
        return;
    }
    f.time_zone = c->time_zone;
    f.now = mg_now();
    f.responses = res.responses;
    f.attendees = res.attendees;
    f.job_status = status;
    f.job_mails = mails;
    doc = mg_json_survey_value(&s, &f);
    json_object_set_new(doc, "results", mg_json_survey_results_value(&res));
    reply_json(r, MHD_HTTP_OK, doc);
    mg_survey_results_release(&res);
    mg_survey_release(&s);
}

void handle_survey_get(struct request *r)
{
    struct mg_circle *c = NULL;
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    if (rc < 0)
        reply_code(r, rc, NULL);
    else
        reply_survey(r, c);
    mg_circle_free(c);
}

void handle_survey_put(struct request *r)
{
    struct mg_survey s;
    struct mg_circle *c = NULL;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r);
    int rc;

    memset(&s, 0, sizeof(s));
    if (!doc)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_survey_load(&s, NULL, NULL, r->srv->store, c->id);
    if (rc == 0)
        rc = mg_json_survey_update(&s, doc, c->time_zone, &err);
    if (rc == 0)
        rc = mg_survey_save(r->srv->store, c->id, &s, &err);
    if (rc < 0) {
        reply_code(r, rc, &err);
    } else {
        mg_jobs_scheduler_wake(r->srv->jobs); /* its opening may be due */
        reply_survey(r, c);
    }
    json_decref(doc);
    mg_survey_release(&s);
    mg_circle_free(c);
}
