/*
 * signup.c: the glue of the public sign-up page: store a pending person,
 * mail them a confirmation link, confirm them as active or waiting,
 * erase the sign-ups never confirmed, and the one withdrawal that hands
 * a freed place to the first person waiting. Rules are people.h's
 * ("Sign-up"); pages are web's; mail goes through the outbox.
 */
#include "mingle/signup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/html.h"
#include "mingle/i18n.h"
#include "mingle/mail.h"
#include "mingle/plenary.h"
#include "mingle/store.h"

#include "banned.h"

#define CONFIRM_KIND "confirm"
#define EXPIRE_BATCH 500

int mg_signup_queue_text(size_t *queued, struct mg_store *st,
                         const struct mg_circle *c, const char *kind,
                         const char *name, const char *email,
                         const char *subject, const char *text, const char *key,
                         struct mg_error *err)
{
    struct mg_text_mail m = {.from_name = c->organizer_name,
                             .from_email = c->organizer_email,
                             .to_name = name,
                             .to_email = email,
                             .subject = subject,
                             .text = text};
    struct mg_outbox_msg msg;
    struct mg_store_tx *tx = NULL;
    char *bytes = NULL;
    size_t len = 0, n = 0;
    int rc = mg_mail_build_text(&bytes, &len, &m, err);

    if (queued)
        *queued = 0;
    if (rc < 0)
        return rc;
    memset(&msg, 0, sizeof(msg));
    msg.circle_id = c->id;
    msg.kind = kind;
    msg.recipient = email;
    msg.subject = subject;
    msg.message = bytes;
    msg.len = len;
    msg.dedupe_key = key;
    rc = mg_store_begin(&tx, st);
    if (rc == 0)
        rc = mg_store_tx_outbox_queue(&n, tx, &msg);
    if (rc == 0)
        rc = mg_store_commit(tx);
    else
        mg_store_rollback(tx);
    if (rc == 0 && queued)
        *queued = n;
    free(bytes);
    return rc;
}

/* A new confirmation token for person `pid`: 48 hex characters in
 * `token`, its hash stored as a secret of kind "confirm" (the previous
 * one stops working). */
static int confirm_token(char *token, struct mg_store *st, int64_t circle_id,
                         int64_t pid)
{
    char api[MG_TOKEN_LEN + 1], id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int rc;

    mg_auth_token_new(api, id, hash);
    memcpy(token, id, MG_TOKEN_ID_LEN);
    memcpy(token + MG_TOKEN_ID_LEN, api + 5 + MG_TOKEN_ID_LEN,
           MG_TOKEN_SECRET_LEN + 1);
    memset(api, 0, sizeof(api));
    rc = mg_store_secret_set(st, CONFIRM_KIND, id, hash, circle_id, pid, 0);
    return rc;
}

static void link_to(struct mg_buf *b, const struct mg_signup_env *env,
                    const char *path1, const char *slug, const char *path2,
                    const char *token)
{
    const char *base = env->base_url ? env->base_url : "";
    size_t n = strlen(base);

    mg_buf_printf(b, "%.*s%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base,
                  path1);
    if (slug)
        mg_url_encode(b, slug);
    mg_buf_printf(b, "%s%s", path2, token);
}

/* The confirmation mail (a new link), if one may go now. */
static int send_confirmation(struct mg_store *st, const struct mg_circle *c,
                             const struct mg_participant *p,
                             const struct mg_signup_env *env,
                             struct mg_error *err)
{
    char token[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    char key[96], subject[400];
    struct mg_buf text = MG_BUF_INIT, link = MG_BUF_INIT;
    int granted = 0, attempt = 0;
    int rc = mg_store_signup_mail_claim(&granted, &attempt, st, c->id, p->id,
                                        env->now, MG_SIGNUP_MAIL_GAP);

    if (rc < 0 || !granted)
        return rc;
    rc = confirm_token(token, st, c->id, p->id);
    if (rc < 0)
        return rc;
    link_to(&link, env, "/join/", c->slug, "/confirm/", token);
    snprintf(subject, sizeof(subject), _("Please confirm your place in %s"),
             c->title);
    mg_buf_printf(&text, _("Hello %s,\n\n"), p->name);
    mg_buf_printf(&text,
                  _("You (or someone giving your address) signed up for the "
                    "reading circle \"%s\". To confirm your place, open this "
                    "link within %d days:\n\n%s\n\n"),
                  c->title, env->expiry_days, link.data);
    mg_buf_printf(&text, "%s",
                  _("If it was not you, do nothing: the sign-up and what it "
                    "holds are deleted unless it is confirmed.\n"));
    snprintf(key, sizeof(key), "signup-confirm:%lld:%d", (long long)p->id,
             attempt);
    rc = mg_signup_queue_text(NULL, st, c, "signup", p->name, p->email, subject,
                              text.data, key, err);
    memset(token, 0, sizeof(token));
    mg_buf_release(&text);
    mg_buf_release(&link);
    return rc;
}

/* "You are already signed up": no link (a page link is never re-made
 * for whoever types an address), how to reach their page. */
static int send_already(struct mg_store *st, const struct mg_circle *c,
                        const struct mg_participant *p,
                        const struct mg_signup_env *env, struct mg_error *err)
{
    char key[96], subject[400];
    struct mg_buf text = MG_BUF_INIT;
    int granted = 0, attempt = 0;
    int rc = mg_store_signup_mail_claim(&granted, &attempt, st, c->id, p->id,
                                        env->now, MG_SIGNUP_MAIL_GAP);

    if (rc < 0 || !granted)
        return rc;
    if (p->status == MG_STATUS_WITHDRAWN) {
        /* they left: the page cannot take them back, the coordinator can */
        snprintf(subject, sizeof(subject), _("Your sign-up for %s"), c->title);
        mg_buf_printf(&text, _("Hello %s,\n\n"), p->name);
        mg_buf_printf(&text,
                      _("Someone (perhaps you) tried to sign up again for the "
                        "reading circle \"%s\" with this address. You left "
                        "this circle earlier, so the sign-up page cannot take "
                        "you back.\n\nTo rejoin, write to the coordinator at "
                        "%s.\n"),
                      c->title, c->organizer_email);
        goto queue;
    }
    snprintf(subject, sizeof(subject), _("You are already signed up for %s"),
             c->title);
    mg_buf_printf(&text, _("Hello %s,\n\n"), p->name);
    mg_buf_printf(&text,
                  _("Someone (perhaps you) tried to sign up again for the "
                    "reading circle \"%s\" with this address. You are already "
                    "signed up, so nothing changed.\n\n"),
                  c->title);
    mg_buf_printf(&text,
                  _("Your own page is at the link in the mail you got when you "
                    "confirmed your place. If you cannot find it, write to the "
                    "coordinator at %s and they will send you a new one.\n"),
                  c->organizer_email);
queue:
    snprintf(key, sizeof(key), "signup-again:%lld:%d", (long long)p->id,
             attempt);
    rc = mg_signup_queue_text(NULL, st, c, "signup", p->name, p->email, subject,
                              text.data, key, err);
    mg_buf_release(&text);
    return rc;
}

/* The person of circle `circle_id` with address `email`, or NULL. */
static int find_by_email(struct mg_participant **out, struct mg_store *st,
                         int64_t circle_id, const char *email)
{
    struct mg_member_hit *hits = NULL;
    char *norm = mg_email_normalize(email);
    size_t n = 0, i;
    int rc = mg_store_members_by_email(&hits, &n, st, norm);

    *out = NULL;
    for (i = 0; rc == 0 && i < n; i++)
        if (hits[i].circle_id == circle_id) {
            rc = mg_store_participant_get(out, st, circle_id,
                                          hits[i].participant_id);
            break;
        }
    mg_store_member_hits_free(hits, n);
    free(norm);
    return rc;
}

int mg_signup_submit(struct mg_store *st, const struct mg_circle *c,
                     const struct mg_signup_settings *s,
                     struct mg_participant *p, int volunteer,
                     const struct mg_signup_env *env, struct mg_error *err)
{
    struct mg_participant *known = NULL;
    struct mg_signup_mark mark;
    char version[MG_SIGNUP_VERSION_LEN + 1];
    char lang[MG_I18N_LANG_MAX];
    int expired = 0;
    int rc;

    mg_i18n_switch(lang, mg_circle_language(c));
    rc = find_by_email(&known, st, c->id, p->email);
    /* this address's own sign-up, expired and not yet erased by the
     * daemon's scheduler (which erases the rest), goes now: a new one */
    if (rc == 0 && known && known->status == MG_STATUS_PENDING)
        rc = mg_store_signup_erase_expired(&expired, st, c->id, known->id,
                                           env->now);
    if (rc == 0 && expired) {
        mg_participants_free(known, 1);
        known = NULL;
    }
    if (rc < 0)
        goto out;
    if (!known) {
        size_t failed = 0;

        p->status = MG_STATUS_PENDING;
        p->role = MG_PERSON_PARTICIPANT;
        rc = mg_store_participants_insert(&failed, st, c->id, p, 1);
        if (rc == MG_ECONFLICT) /* signed up a moment ago: as known */
            rc = find_by_email(&known, st, c->id, p->email);
        if (rc < 0)
            goto out;
    }
    if (known) {
        if (known->status == MG_STATUS_PENDING)
            rc = send_confirmation(st, c, known, env, err);
        else
            rc = send_already(st, c, known, env, err);
        goto out;
    }
    mg_signup_notice_version(version, mg_signup_notice(s));
    mark.volunteer = volunteer;
    mark.consent_version = version;
    mark.consent_at = env->now;
    mark.expires_at = env->now + (int64_t)env->expiry_days * 86400;
    rc = mg_store_signup_mark(st, c->id, p->id, &mark);
    if (rc == 0)
        rc = send_confirmation(st, c, p, env, err);
    if (rc < 0) /* nothing half-kept: the visitor may try again */
        mg_store_participant_delete(st, c->id, p->id);
out:
    mg_i18n_restore(lang);
    mg_participants_free(known, known ? 1 : 0);
    return rc;
}

/* The welcome: their page link, and their place when they wait. */
static int send_welcome(struct mg_store *st, const struct mg_circle *c,
                        const struct mg_participant *p,
                        const struct mg_signup_confirmed *done,
                        const struct mg_signup_env *env, struct mg_error *err)
{
    struct mg_buf text = MG_BUF_INIT, link = MG_BUF_INIT;
    char key[96], subject[400];
    int rc;

    link_to(&link, env, "/p/", NULL, "", done->page);
    snprintf(subject, sizeof(subject), _("Your place in %s"), c->title);
    mg_buf_printf(&text, _("Hello %s,\n\n"), p->name);
    if (done->status == MG_STATUS_WAITLISTED)
        mg_buf_printf(&text,
                      _("Thank you for confirming. \"%s\" is full for now: "
                        "you are number %d on its waitlist. When a place "
                        "opens, it is offered to the first person waiting "
                        "and you get a mail.\n\n"),
                      c->title, done->place);
    else
        mg_buf_printf(&text,
                      _("Thank you for confirming: you have a place in "
                        "\"%s\". Your group and its calls will follow by "
                        "mail.\n\n"),
                      c->title);
    mg_buf_printf(&text,
                  _("Your own page, where you can see what we hold about you "
                    "and your group's calls, is here (keep it to "
                    "yourself):\n\n%s\n"),
                  link.data);
    snprintf(key, sizeof(key), "signup-welcome:%lld", (long long)p->id);
    rc = mg_signup_queue_text(NULL, st, c, "signup", p->name, p->email, subject,
                              text.data, key, err);
    mg_buf_release(&text);
    mg_buf_release(&link);
    return rc;
}

/*
 * The full rebalance, for when the quick one does not apply (every group
 * as full as the others, say): stored only when it just places the
 * newcomers, moving nobody, opening and closing no group and breaking no
 * hard rule; otherwise the coordinator decides on the dashboard. The ids
 * of the people it placed go to *ids (*n of them, free()).
 */
static int place_full(int64_t **ids, size_t *n, struct mg_store *st,
                      int64_t circle_id)
{
    struct mg_assign a;
    int64_t t0 = mg_now(), total = 0, active = 0, groups = 0, max_id = 0;
    size_t i;
    int rc = mg_store_circle_counts(&total, &active, &groups, &max_id, st,
                                    circle_id);

    *ids = NULL;
    *n = 0;
    if (rc < 0)
        return rc;
    rc = mg_assign_load(&a, st, circle_id);
    if (rc < 0)
        return rc;
    a.in.max_moves = 0;
    if (a.n_people)
        rc = mg_assign_rebalance(&a, 1);
    if (rc == MG_ENOTFOUND) { /* no groups yet: nothing to place into */
        rc = 0;
        goto out;
    }
    if (rc < 0 || !a.n_people || a.result.moves || a.result.n_opened ||
        a.result.n_dissolved ||
        mg_assign_hard_issues(a.result.issues, a.result.n_issues))
        goto out;
    *ids = mg_xcalloc(a.n_people, sizeof(**ids));
    for (i = 0; i < a.n_people; i++)
        if (!a.people[i].group_id && a.result.group_of[i] >= 0)
            (*ids)[(*n)++] = a.people[i].id;
    if (*n == 0)
        goto out;
    rc = mg_assign_commit_rebalance(&a, st);
    if (rc == 0 && mg_assign_mark(st, &a, t0, total, max_id, 0) < 0)
        mg_log(MG_LOG_WARN, "cannot leave the rebalance mark", NULL);
out:
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    mg_assign_release(&a);
    return rc;
}

int mg_signup_place_late(size_t *placed, struct mg_store *st, int64_t circle_id,
                         struct mg_error *err)
{
    struct mg_assign_quick q;
    struct mg_calendar_scope scope;
    int64_t *ids = NULL;
    size_t i, n = 0, queued = 0;
    int rc = mg_assign_quick_rebalance(&q, st, circle_id, 1);

    *placed = 0;
    if (rc == 0 && q.applied) {
        ids = mg_xcalloc(q.n_placed + 1, sizeof(*ids));
        for (i = 0; i < q.n_placed; i++)
            ids[n++] = q.placed[i].person_id;
    } else if (rc == 0) {
        rc = place_full(&ids, &n, st, circle_id);
    }
    if (rc < 0 || n == 0)
        goto out;
    memset(&scope, 0, sizeof(scope));
    scope.person_ids = ids;
    scope.n_persons = n;
    *placed = n;
    if (mg_calendar_reconcile_scope(&queued, st, circle_id, &scope, err) < 0)
        mg_log(MG_LOG_WARN, "late sign-up placed, not yet invited", "error",
               err->message, NULL);
out:
    free(ids);
    mg_assign_quick_release(&q);
    return rc;
}

/* A person who just became active: placed at once when the coordinator
 * turned that on and groups exist; *placed says if they were. */
static int maybe_place(int *placed, struct mg_store *st, int64_t circle_id,
                       int64_t pid, struct mg_error *err)
{
    struct mg_signup_settings s;
    struct mg_participant *p = NULL;
    size_t n = 0;
    int groups = 0;
    int rc = mg_store_signup_get(&s, st, circle_id);

    *placed = 0;
    if (rc == 0 && s.auto_place)
        rc = mg_store_signup_has_groups(&groups, st, circle_id);
    if (rc == 0 && groups)
        rc = mg_signup_place_late(&n, st, circle_id, err);
    if (rc == 0 && n)
        rc = mg_store_participant_get(&p, st, circle_id, pid);
    if (rc == 0 && p)
        *placed = p->group_id != 0;
    mg_participants_free(p, p ? 1 : 0);
    mg_signup_settings_release(&s);
    return rc;
}

int mg_signup_confirm(struct mg_signup_confirmed *out, struct mg_store *st,
                      const struct mg_circle *c, const char *token,
                      const struct mg_signup_env *env, struct mg_error *err)
{
    struct mg_signup_settings s;
    struct mg_participant *p = NULL, *p2 = NULL;
    struct mg_store_tx *tx = NULL;
    char id[MG_TOKEN_ID_LEN + 1];
    char lang[MG_I18N_LANG_MAX];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int64_t circle = 0, pid = 0, group = 0, last = 0;
    size_t active = 0, waiting = 0, moved = 0;
    int changed = 0;
    int rc = mg_calendar_parse_feed_token(id, hash, token);

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    mg_i18n_switch(lang, mg_circle_language(c));
    if (rc == 0)
        rc = mg_store_secret_check(&circle, &pid, &group, st, CONFIRM_KIND, id,
                                   hash);
    if (rc == 0 && (circle != c->id || pid == 0))
        rc = MG_EAUTH;
    if (rc == 0)
        rc = mg_store_participant_get(&p, st, c->id, pid);
    if (rc == MG_ENOTFOUND)
        rc = MG_EAUTH;
    if (rc < 0)
        goto out;
    out->circle_id = c->id;
    out->person_id = pid;
    if (p->status != MG_STATUS_PENDING) {
        out->already = 1;
        out->status = p->status;
        rc = mg_store_signup_place(&out->place, st, c->id, pid);
        goto out;
    }
    /* too late: the sign-up expired (and goes now, if it is still there) */
    rc = mg_store_signup_erase_expired(&changed, st, c->id, pid, env->now);
    if (rc == 0 && changed)
        rc = MG_EAUTH;
    if (rc < 0)
        goto out;
    rc = mg_store_signup_get(&s, st, c->id);
    if (rc == 0)
        rc = mg_store_begin(&tx, st);
    /* without a capacity nobody waits: no need to count the circle */
    if (rc == 0 && s.capacity > 0)
        rc = mg_store_tx_signup_counts(&active, &waiting, &last, tx, c->id);
    if (rc == 0) {
        out->status = mg_signup_confirmed_status(active, waiting, s.capacity);
        rc = mg_store_tx_signup_status(
            &changed, tx, c->id, pid, "pending",
            mg_person_status_name(out->status),
            out->status == MG_STATUS_WAITLISTED ? last + 1 : 0);
    }
    if (rc == 0)
        rc = mg_store_commit(tx);
    else
        mg_store_rollback(tx);
    tx = NULL;
    if (rc < 0)
        goto out;
    if (!changed) { /* a second click, at the same moment */
        out->already = 1;
        goto out;
    }
    /* a place under the capacity goes to those waiting, in order: this
     * person too, if their turn comes */
    if (out->status == MG_STATUS_WAITLISTED &&
        mg_signup_place_opens(active, s.capacity))
        rc = mg_signup_fill(&moved, st, c->id, err);
    if (rc == 0 && moved && mg_store_participant_get(&p2, st, c->id, pid) == 0)
        out->status = p2->status;
    if (rc == 0 && out->status == MG_STATUS_WAITLISTED)
        rc = mg_store_signup_place(&out->place, st, c->id, pid);
    if (rc == 0)
        rc = mg_calendar_page_token(out->page, st, c->id, pid);
    if (rc == 0)
        rc = send_welcome(st, c, p, out, env, err);
    if (rc == 0 && out->status == MG_STATUS_ACTIVE)
        rc = maybe_place(&out->placed, st, c->id, pid, err);
out:
    mg_i18n_restore(lang);
    mg_signup_settings_release(&s);
    mg_participants_free(p, p ? 1 : 0);
    mg_participants_free(p2, p2 ? 1 : 0);
    return rc;
}

int mg_signup_expire(size_t *n, struct mg_store *st, int64_t now)
{
    int64_t *ids = NULL;
    size_t got = 0, i;
    int rc;

    *n = 0;
    do {
        rc = mg_store_signup_expired(&ids, &got, st, now, EXPIRE_BATCH);
        for (i = 0; rc == 0 && i < got; i++) {
            int erased = 0;

            /* still pending and expired, checked as it is erased: one
             * who confirmed since the list was made is kept */
            rc = mg_store_signup_erase_expired(&erased, st, ids[2 * i],
                                               ids[2 * i + 1], now);
            if (rc == MG_ENOTFOUND) /* erased by another caller */
                rc = 0;
            *n += (size_t)erased;
        }
        free(ids);
        ids = NULL;
    } while (rc == 0 && got == EXPIRE_BATCH);
    return rc;
}

/* Tell `p` a place opened for them. */
static int send_promoted(struct mg_store *st, const struct mg_circle *c,
                         const struct mg_participant *p, struct mg_error *err)
{
    struct mg_buf text = MG_BUF_INIT;
    char key[96], subject[400];
    char lang[MG_I18N_LANG_MAX];
    int rc;

    mg_i18n_switch(lang, mg_circle_language(c));
    snprintf(subject, sizeof(subject), _("A place opened for you in %s"),
             c->title);
    mg_buf_printf(&text, _("Hello %s,\n\n"), p->name);
    mg_buf_printf(&text,
                  _("A place opened in the reading circle \"%s\" and it is "
                    "yours: you are no longer waiting. Your group and its "
                    "calls will follow by mail; your own page shows them "
                    "too.\n"),
                  c->title);
    snprintf(key, sizeof(key), "signup-promoted:%lld", (long long)p->id);
    rc = mg_signup_queue_text(NULL, st, c, "signup", p->name, p->email, subject,
                              text.data, key, err);
    mg_buf_release(&text);
    mg_i18n_restore(lang);
    return rc;
}

int mg_signup_withdraw(int64_t *promoted, struct mg_store *st,
                       int64_t circle_id, int64_t person_id, int64_t now,
                       struct mg_error *err)
{
    struct mg_participant *p = NULL, *next = NULL;
    struct mg_circle *c = NULL;
    struct mg_store_tx *tx = NULL;
    struct mg_calendar_scope scope;
    struct mg_signup_settings s;
    int64_t ids[2], last = 0;
    size_t seats = 0, queued = 0, active = 0, waiting = 0;
    int changed = 0, placed = 0;
    int rc = mg_store_participant_get(&p, st, circle_id, person_id);

    (void)now;
    *promoted = 0;
    memset(&s, 0, sizeof(s));
    if (rc < 0 || p->status == MG_STATUS_WITHDRAWN)
        goto out;
    rc = mg_store_signup_get(&s, st, circle_id);
    if (rc == 0)
        rc = mg_plenary_leave_all(&seats, st, circle_id, person_id, err);
    if (rc == 0)
        rc = mg_store_begin(&tx, st);
    if (rc == 0)
        rc = mg_store_tx_signup_status(&changed, tx, circle_id, person_id,
                                       mg_person_status_name(p->status),
                                       "withdrawn", 0);
    /* only a place held is handed on (a waiting or pending person who
     * leaves frees none), and only under the circle's capacity: without
     * one nobody waits for a place, and a waitlist the coordinator keeps
     * by hand is theirs to move */
    if (rc == 0 && changed && p->status == MG_STATUS_ACTIVE && s.capacity > 0)
        rc = mg_store_tx_signup_counts(&active, &waiting, &last, tx, circle_id);
    if (rc == 0 && changed && p->status == MG_STATUS_ACTIVE &&
        mg_signup_place_opens(active, s.capacity))
        rc = mg_store_tx_signup_first_waiting(promoted, tx, circle_id);
    if (rc == 0 && *promoted)
        rc = mg_store_tx_signup_status(&changed, tx, circle_id, *promoted,
                                       "waitlisted", "active", 0);
    if (rc == 0)
        rc = mg_store_commit(tx);
    else
        mg_store_rollback(tx);
    if (rc < 0) {
        *promoted = 0;
        goto out;
    }
    ids[0] = person_id;
    ids[1] = *promoted;
    memset(&scope, 0, sizeof(scope));
    scope.person_ids = ids;
    scope.n_persons = *promoted ? 2 : 1;
    /* The withdrawal is stored: what follows is told, not undone. A
     * circle with no organizer has no invitations to reconcile. */
    if (mg_calendar_reconcile_scope(&queued, st, circle_id, &scope, err) < 0)
        mg_log(MG_LOG_WARN, "withdrawal: invitations not reconciled", "error",
               err->message, NULL);
    if (!*promoted)
        goto out;
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = mg_store_participant_get(&next, st, circle_id, *promoted);
    if (rc == 0 && c->organizer_email)
        rc = send_promoted(st, c, next, err);
    if (rc == 0)
        rc = maybe_place(&placed, st, circle_id, *promoted, err);
    if (rc < 0) {
        mg_log(MG_LOG_WARN, "withdrawal: the place handed on, not yet told",
               "error", err->message, NULL);
        rc = 0;
    }
out:
    mg_signup_settings_release(&s);
    mg_participants_free(p, p ? 1 : 0);
    mg_participants_free(next, next ? 1 : 0);
    mg_circle_free(c);
    return rc;
}

int mg_signup_fill(size_t *promoted, struct mg_store *st, int64_t circle_id,
                   struct mg_error *err)
{
    struct mg_signup_settings s;
    struct mg_circle *c = NULL;
    int64_t *ids = NULL;
    size_t n = 0, i, active = 0, waiting = 0;
    int64_t last = 0;
    int placed = 0;
    int rc = mg_store_signup_get(&s, st, circle_id);

    *promoted = 0;
    if (rc == 0)
        rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        goto out;
    for (;;) {
        struct mg_store_tx *tx = NULL;
        int64_t next = 0;
        int changed = 0;

        rc = mg_store_begin(&tx, st);
        if (rc == 0)
            rc = mg_store_tx_signup_counts(&active, &waiting, &last, tx,
                                           circle_id);
        if (rc == 0 && mg_signup_place_opens(active, s.capacity))
            rc = mg_store_tx_signup_first_waiting(&next, tx, circle_id);
        if (rc == 0 && next)
            rc = mg_store_tx_signup_status(&changed, tx, circle_id, next,
                                           "waitlisted", "active", 0);
        if (rc == 0)
            rc = mg_store_commit(tx);
        else
            mg_store_rollback(tx);
        if (rc < 0 || !next || !changed)
            break;
        ids = mg_xrealloc(ids, (n + 1) * sizeof(*ids));
        ids[n++] = next;
    }
    *promoted = n;
    /* told and placed: failures logged, the promotions stand */
    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_participant *p = NULL;
        int sent = mg_store_participant_get(&p, st, circle_id, ids[i]);

        if (sent == 0 && c->organizer_email)
            sent = send_promoted(st, c, p, err);
        if (sent < 0)
            mg_log(MG_LOG_WARN, "a place opened, not yet told", "error",
                   err->message, NULL);
        mg_participants_free(p, p ? 1 : 0);
    }
    if (rc == 0 && n && maybe_place(&placed, st, circle_id, ids[0], err) < 0)
        mg_log(MG_LOG_WARN, "moved up from the waitlist, not yet placed",
               "error", err->message, NULL);
out:
    free(ids);
    mg_circle_free(c);
    mg_signup_settings_release(&s);
    return rc;
}
