/*
 * api.h: the JSON routes under /api/v1, the calendar feeds and the mail
 * webhooks. Each handler answers one route of src/http/router.c.
 */
#ifndef MINGLE_API_H
#define MINGLE_API_H

#include "../http/internal.h"

void handle_healthz(struct request *r);
void handle_metrics(struct request *r);
void handle_circles_list(struct request *r);
void handle_circles_create(struct request *r);
void handle_circles_get(struct request *r);
void handle_circles_replace(struct request *r);
void handle_circles_patch(struct request *r);
void handle_circles_delete(struct request *r);
void handle_book_upload(struct request *r);
void handle_book_get(struct request *r);
void handle_threads_list(struct request *r);
void handle_readings_list(struct request *r);
void handle_people_create(struct request *r);
void handle_people_list(struct request *r);
void handle_person_get(struct request *r);
void handle_person_patch(struct request *r);
void handle_person_withdraw(struct request *r);
/* A circle's CPD journal settings (src/api/cpd.c). */
void handle_cpd_get(struct request *r);
void handle_cpd_put(struct request *r);
/* A circle's sign-up settings (src/api/signup.c). */
void handle_signup_get(struct request *r);
void handle_signup_put(struct request *r);
/* A circle's evaluation survey (src/api/survey.c). */
void handle_survey_get(struct request *r);
void handle_survey_put(struct request *r);
/* Move requests from participants' own pages (moves.c). */
void handle_move_requests_list(struct request *r);
void handle_move_request_dismiss(struct request *r);
void handle_person_delete(struct request *r);
void handle_groups_plan(struct request *r);
void handle_groups_rebalance(struct request *r);
void handle_groups_list(struct request *r);
/* PATCH one group: its own call link (src/api/groups.c). */
void handle_group_patch(struct request *r);
/* One group with its members: its facilitator may read it (src/api/groups.c).
 */
void handle_group_get(struct request *r);
/* Everything mingle holds about one person, as JSON (src/api/export.c). */
void handle_person_export(struct request *r);
/* The audit log of coordinators' actions (src/api/audit.c). */
void handle_audit_list(struct request *r);
void handle_group_member_add(struct request *r);
void handle_feed(struct request *r);
void handle_mail_hook(struct request *r);
/* On a mail hook's headers, before any of its body is read: 1 (having
 * answered) for an unknown provider, one not configured, or a
 * credential the headers show missing or wrong (Basic auth or
 * ?secret=, Mandrill's signature header); else 0. */
int handle_mail_hook_headers(struct request *r);
void handle_mail_hook_probe(struct request *r);
void handle_notes_list(struct request *r);
void handle_notes_digest(struct request *r);
void handle_review_list(struct request *r);
void handle_note_get(struct request *r);
void handle_note_approve(struct request *r);
void handle_note_reject(struct request *r);
void handle_group_notes_feed(struct request *r);
void handle_notes_atom(struct request *r);
void handle_person_feed(struct request *r);
void handle_group_feed(struct request *r);
void handle_invites_send(struct request *r);
void handle_sessions_list(struct request *r);
void handle_session_patch(struct request *r);
void handle_attendance_import(struct request *r);
void handle_attendance_get(struct request *r);
/* A session's RSVPs (src/api/rsvps.c). */
void handle_rsvps_get(struct request *r);
/* A plenary's answers by week (src/api/rsvps.c). */
void handle_plenary_rsvps_get(struct request *r);
void handle_series_patch(struct request *r);
void handle_outbox_list(struct request *r);
/* retention.c */
void handle_retention_get(struct request *r);
void handle_retention_put(struct request *r);

/* reminders.c */
void handle_reminders_get(struct request *r);
void handle_reminders_put(struct request *r);
/* A circle's certificate settings (certificates.c). */
void handle_certificates_get(struct request *r);
void handle_certificates_put(struct request *r);
void handle_jobs_list(struct request *r);
/* A circle's success report (src/api/report.c). */
void handle_report(struct request *r);
void handle_export_download(struct request *r);
/* plenaries.c: whole-circle sessions and their waitlist */
void handle_plenaries_create(struct request *r);
void handle_plenaries_list(struct request *r);
void handle_plenary_patch(struct request *r);
void handle_registration_create(struct request *r);
void handle_registration_decline(struct request *r);
void handle_registration_withdraw(struct request *r);
/* plenaries.c: a plenary's list and its cancellation */
void handle_plenary_get(struct request *r);
void handle_plenary_cancel(struct request *r);
/* attendance.c: who came to a plenary's occurrence */
void handle_plenary_attendance_import(struct request *r);
void handle_plenary_attendance_get(struct request *r);
#endif
