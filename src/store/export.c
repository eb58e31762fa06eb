/*
 * export.c: everything the store holds about one person, as one JSON
 * document. SQLite's JSON functions build it in a single statement, so
 * it is one consistent snapshot and the store needs no JSON library; the
 * API and the CLI hand the text on. Erasure is participants.c's.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/*
 * ?1 circle, ?2 person, ?3 now. A subquery's JSON loses its JSON-ness
 * on the way out, so each is wrapped in json(). Times are Unix seconds,
 * as everywhere in the API. The parts are joined at run time (C caps a
 * literal's length).
 */
static const char *const export_sql[] = {
    "WITH me AS (SELECT * FROM participants WHERE circle_id = ?1 AND id = ?2) "
    "SELECT json_object("
    "'format', 'mingle-person-export', 'version', 1, 'exported_at', ?3, "
    "'circle', json((SELECT json_object('id', c.id, 'title', c.title) "
    "  FROM circles c WHERE c.id = me.circle_id)), "
    /* the record */
    "'person', json_object('id', me.id, 'name', me.name, 'email', me.email, "
    "  'role', me.role, 'sector', me.sector, 'region', me.region, "
    "  'time_zone', me.time_zone, 'status', me.status, "
    "  'locked', json(CASE WHEN me.locked THEN 'true' ELSE 'false' END), "
    "  'created_at', me.created_at, 'updated_at', me.updated_at, "
    "  'slots', json((SELECT json_group_array(json_object('slot_id', x.id, "
    "    'weekday', x.weekday, 'start', printf('%02d:%02d', "
    "    x.start_minute / 60, x.start_minute % 60), 'minutes', x.minutes)) "
    "    FROM (SELECT s.* FROM participant_slots ps JOIN slots s ON "
    "    s.id = ps.slot_id WHERE ps.participant_id = me.id ORDER BY "
    "    s.position, s.id) x)), "
    "  'thread_wishes', json((SELECT json_group_array(json_object("
    "    'thread_id', x.thread_id, 'title', x.title, 'rank', x.rank)) "
    "    FROM (SELECT w.thread_id, t.title, w.rank FROM participant_wishes w "
    "    LEFT JOIN threads t ON t.id = w.thread_id WHERE w.participant_id = "
    "    me.id ORDER BY w.rank) x)), "
    "  'links', json((SELECT json_group_array(json_object('email', "
    "    x.other_email_norm, 'kind', x.kind)) FROM (SELECT * FROM "
    "    participant_links l WHERE l.participant_id = me.id ORDER BY "
    "    l.kind, l.other_email_norm) x))), ", /* groups and calls */
    /* what the sign-up page recorded: the consent given, and to which
     * notice (null for people the coordinator registered) */
    "'signup', json((SELECT json_object('volunteer', json(CASE WHEN "
    "  s.volunteer THEN 'true' ELSE 'false' END), 'consent_version', "
    "  s.consent_version, 'consent_at', s.consent_at, 'waitlist_position', "
    "  s.waitlist_position) FROM signups s WHERE s.participant_id = me.id)), "
    "'memberships', json((SELECT json_group_array(json_object('group_id', "
    "  x.group_id, 'group', x.name, 'role', x.role, 'locked', "
    "  json(CASE WHEN x.locked THEN 'true' ELSE 'false' END), 'joined_at', "
    "  x.joined_at, 'left_at', x.left_at)) FROM (SELECT m.*, g.name FROM "
    "  memberships m LEFT JOIN groups g ON g.id = m.group_id WHERE "
    "  m.participant_id = me.id ORDER BY m.id) x)), "
    "'invitations', json((SELECT json_group_array(json_object('uid', x.uid, "
    "  'group_id', x.group_id, 'sequence', x.sequence, 'state', x.state, "
    "  'summary', x.summary, 'first_start', x.first_start, 'minutes', "
    "  x.minutes, 'weeks', x.weeks, 'updated_at', x.updated_at)) FROM "
    "  (SELECT * FROM invites i WHERE i.participant_id = me.id ORDER BY "
    "  i.id) x)), "
    "'rsvps', json((SELECT json_group_array(json_object('session_id', "
    "  x.session_id, 'group_id', x.group_id, 'week', x.week, 'starts_at', "
    "  x.starts_at, 'status', x.status, 'source', x.source, 'sequence', "
    "  x.sequence, 'updated_at', x.updated_at)) FROM (SELECT r.*, "
    "  s.group_id, s.week, s.starts_at FROM rsvps r LEFT JOIN sessions s ON "
    "  s.id = r.session_id WHERE r.participant_id = me.id ORDER BY "
    "  s.starts_at, r.session_id) x)), "
    "'attendance', json((SELECT json_group_array(json_object('session_id', "
    "  x.session_id, 'group_id', x.group_id, 'week', x.week, 'starts_at', "
    "  x.starts_at, 'present', json(CASE WHEN x.present THEN 'true' ELSE "
    "  'false' END), 'minutes', x.minutes, 'source', x.source, "
    "  'recorded_at', x.recorded_at)) FROM (SELECT a.*, s.group_id, s.week, "
    "  s.starts_at FROM attendance a LEFT JOIN sessions s ON s.id = "
    "  a.session_id WHERE a.participant_id = me.id ORDER BY s.starts_at, "
    "  a.session_id) x)), "
    "'plenary_registrations', json((SELECT json_group_array(json_object("
    "  'plenary_id', x.plenary_id, 'title', x.title, 'uid', x.uid, "
    "  'starts_at', x.starts_at, 'status', x.status, 'position', "
    "  x.position, 'invite_sequence', x.invite_sequence, 'updated_at', "
    "  x.updated_at)) FROM (SELECT r.*, p.title, p.uid, p.starts_at FROM "
    "  registrations r JOIN plenaries p ON p.id = r.plenary_id WHERE "
    "  r.participant_id = me.id ORDER BY p.starts_at, p.id) x)), ", /* what they
                                                                       wrote,
                                                                       and what
                                                                       was
                                                                       written
                                                                       to them
                                                                     */
    "'plenary_attendance', json((SELECT json_group_array(json_object("
    "  'plenary_id', x.plenary_id, 'title', x.title, 'week', x.week, "
    "  'present', json(CASE WHEN x.present THEN 'true' ELSE 'false' END), "
    "  'minutes', x.minutes, 'source', x.source, 'recorded_at', "
    "  x.recorded_at)) FROM (SELECT a.*, p.title FROM plenary_attendance a "
    "  JOIN plenaries p ON p.id = a.plenary_id WHERE a.participant_id = "
    "  me.id ORDER BY p.starts_at, p.id, a.week) x)), "
    /* what their calendar answered for each call of a plenary */
    "'plenary_answers', json((SELECT json_group_array(json_object("
    "  'plenary_id', x.plenary_id, 'title', x.title, 'week', x.week, "
    "  'answer', x.status, 'source', x.source, 'sequence', x.sequence, "
    "  'updated_at', x.updated_at)) FROM (SELECT a.*, p.title FROM "
    "  plenary_rsvps a JOIN plenaries p ON p.id = a.plenary_id WHERE "
    "  a.participant_id = me.id ORDER BY p.starts_at, p.id, a.week) x)), "
    /* what they asked on their page (slots and threads: ids) */
    "'move_requests', json((SELECT json_group_array(json_object('id', x.id, "
    "  'slots', x.slots, 'threads', x.threads, 'note', x.note, 'status', "
    "  x.status, 'created_at', x.created_at, 'decided_at', x.decided_at)) "
    "  FROM (SELECT * FROM move_requests m WHERE m.participant_id = me.id "
    "  ORDER BY m.id) x)), "
    "'notes', json((SELECT json_group_array(json_object('id', x.id, "
    "  'circle_id', x.circle_id, 'group_id', x.group_id, 'week', x.week, "
    "  'kind', x.kind, 'status', x.status, 'review_reason', "
    "  x.review_reason, 'from_name', x.from_name, 'from_email', "
    "  x.from_email, 'to', x.recipient, 'subject', x.subject, 'body', "
    "  x.body, 'sent_at', x.sent_at, 'received_at', x.received_at, "
    "  'attachments', json((SELECT json_group_array(json_object('name', "
    "  a.name, 'type', a.type, 'size', a.size)) FROM (SELECT * FROM "
    "  note_attachments na WHERE na.note_id = x.id ORDER BY na.position) "
    "  a)))) FROM (SELECT * FROM notes n WHERE n.participant_id = me.id OR "
    "  (lower(n.from_email) = me.email_norm AND (n.circle_id = me.circle_id "
    "  OR n.circle_id IS NULL)) ORDER BY n.id) x)), "
    "'mail', json((SELECT json_group_array(json_object('id', x.id, 'kind', "
    "  x.kind, 'to', x.recipient, 'subject', x.subject, 'status', "
    "  x.status, 'attempts', x.attempts, 'created_at', x.created_at, "
    "  'sent_at', x.sent_at)) FROM (SELECT * FROM outbox o WHERE "
    "  lower(o.recipient) = me.email_norm AND (o.circle_id = me.circle_id "
    "  OR o.circle_id IS NULL) ORDER BY o.id) x)), "
    /* secrets: that they exist, never what they are */
    "'secrets', json((SELECT json_group_array(json_object('kind', x.kind, "
    "  'created_at', x.created_at, 'last_used_at', x.last_used_at, "
    "  'revoked_at', x.revoked_at, 'live', json(CASE WHEN x.revoked_at IS "
    "  NULL THEN 'true' ELSE 'false' END))) FROM (SELECT * FROM tokens t "
    "  WHERE t.participant_id = me.id ORDER BY t.id) x)), "
    /* coordinators' actions on their record (routes with their id) */
    "'audit', json((SELECT json_group_array(json_object('at', x.at, "
    "  'action', x.action, 'via', x.via, 'status', x.status)) FROM "
    "  (SELECT * FROM audit_log l WHERE l.circle_id = me.circle_id AND "
    "  l.at >= me.created_at AND "
    "  ((l.action LIKE '%/participants/{id}%' AND (l.target = "
    "  me.circle_id || '/' || me.id OR l.target LIKE me.circle_id || '/' "
    "  || me.id || '/%')) OR (l.action LIKE '%/registrations/{id}%' AND "
    "  l.target LIKE me.circle_id || '/%/' || me.id)) ORDER BY l.id) x))"
    ") FROM me"};

int mg_store_person_export(char **out, struct mg_store *st, int64_t circle_id,
                           int64_t id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_buf sql = MG_BUF_INIT;
    const unsigned char *text;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(export_sql) / sizeof(export_sql[0]); i++)
        mg_buf_puts(&sql, export_sql[i]);
    rc = store_prepare(&stmt, st, db, sql.data);

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, id);
    sqlite3_bind_int64(stmt, 3, mg_now());
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "export person");
    if (rc < 0)
        goto out;
    text = sqlite3_column_text(stmt, 0);
    if (!text) {
        rc = store_fail(st, db, SQLITE_ERROR, "export person");
        goto out;
    }
    *out = mg_xstrdup((const char *)text);
    rc = 0;
out:
    sqlite3_finalize(stmt);
    mg_buf_release(&sql);
    store_release(st, db);
    return rc;
}
