/*
 * schema.c: the migrations, in order. Migration N takes a database from
 * PRAGMA user_version N-1 to N. Never edit a migration that has shipped:
 * add the next one. The first migration lays down the schema for the
 * whole design (DESIGN.md), so later features add columns, not redesigns.
 */
#include "internal.h"

#include "banned.h"

static const char *const migration_1[] = {
    /* A reading circle and its weekly call slots. */
    "CREATE TABLE circles ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT UNIQUE,"
    "  title TEXT NOT NULL,"
    "  time_zone TEXT NOT NULL,"
    "  start_date TEXT NOT NULL,"
    "  weeks INTEGER NOT NULL CHECK (weeks > 0),"
    "  group_min INTEGER NOT NULL,"
    "  group_max INTEGER NOT NULL,"
    "  video_url TEXT,"
    "  organizer_name TEXT,"
    "  organizer_email TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK (group_min >= 1 AND group_min <= group_max))",
    "CREATE TABLE slots ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
    "  start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),"
    "  minutes INTEGER NOT NULL,"
    "  UNIQUE (circle_id, weekday, start_minute))",
    /* A book, parsed into a tree of sections. */
    "CREATE TABLE books ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL,"
    "  author TEXT,"
    "  format TEXT NOT NULL,"
    "  source_name TEXT,"
    "  sha256 TEXT,"
    "  word_count INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL)",
    "CREATE INDEX books_circle ON books(circle_id)",
    "CREATE TABLE sections ("
    "  id INTEGER PRIMARY KEY,"
    "  book_id INTEGER NOT NULL REFERENCES books(id) ON DELETE CASCADE,"
    "  parent_id INTEGER REFERENCES sections(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  word_count INTEGER NOT NULL DEFAULT 0,"
    "  byte_start INTEGER,"
    "  byte_end INTEGER,"
    "  body TEXT)",
    "CREATE INDEX sections_book ON sections(book_id, position)",
    /* Conversation threads and the weekly readings of each. */
    "CREATE TABLE threads ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  book_id INTEGER REFERENCES books(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  first_section_id INTEGER REFERENCES sections(id),"
    "  last_section_id INTEGER REFERENCES sections(id),"
    "  word_count INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX threads_circle ON threads(circle_id, position)",
    "CREATE TABLE readings ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  thread_id INTEGER REFERENCES threads(id) ON DELETE CASCADE,"
    "  plan TEXT NOT NULL DEFAULT 'same_pace',"
    "  week INTEGER NOT NULL,"
    "  first_section_id INTEGER REFERENCES sections(id),"
    "  last_section_id INTEGER REFERENCES sections(id),"
    "  word_count INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX readings_thread ON readings(thread_id, week)",
    /* People, the groups they are placed in, and their wishes. */
    "CREATE TABLE participants ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL,"
    "  email_norm TEXT NOT NULL,"
    "  role TEXT NOT NULL DEFAULT 'participant',"
    "  sector TEXT,"
    "  region TEXT,"
    "  time_zone TEXT,"
    "  status TEXT NOT NULL DEFAULT 'active',"
    "  locked INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (circle_id, email_norm))",
    "CREATE TABLE participant_slots ("
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  slot_id INTEGER NOT NULL REFERENCES slots(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (participant_id, slot_id))",
    "CREATE TABLE participant_wishes ("
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,"
    "  rank INTEGER NOT NULL,"
    "  PRIMARY KEY (participant_id, thread_id))",
    "CREATE TABLE participant_links ("
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  other_email_norm TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('with', 'not_with')),"
    "  PRIMARY KEY (participant_id, other_email_norm, kind))",
    "CREATE TABLE groups ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  slot_id INTEGER REFERENCES slots(id) ON DELETE SET NULL,"
    "  thread_id INTEGER REFERENCES threads(id) ON DELETE SET NULL,"
    "  address TEXT UNIQUE,"
    "  created_at INTEGER NOT NULL)",
    "CREATE INDEX groups_circle ON groups(circle_id, position)",
    "CREATE TABLE memberships ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL DEFAULT 'member',"
    "  locked INTEGER NOT NULL DEFAULT 0,"
    "  joined_at INTEGER NOT NULL,"
    "  left_at INTEGER)",
    "CREATE INDEX memberships_group ON memberships(group_id)",
    "CREATE UNIQUE INDEX memberships_current"
    "  ON memberships(participant_id) WHERE left_at IS NULL",
    /* Calls: one per group and week, or plenary (group_id NULL). */
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL DEFAULT 'group',"
    "  week INTEGER,"
    "  title TEXT,"
    "  starts_at INTEGER NOT NULL,"
    "  minutes INTEGER NOT NULL,"
    "  reading_id INTEGER REFERENCES readings(id) ON DELETE SET NULL,"
    "  capacity INTEGER,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'confirmed')",
    "CREATE INDEX sessions_group ON sessions(group_id, week)",
    "CREATE INDEX sessions_circle ON sessions(circle_id, starts_at)",
    "CREATE TABLE rsvps ("
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  status TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  waitlist_position INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (session_id, participant_id))",
    "CREATE TABLE attendance ("
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  present INTEGER NOT NULL,"
    "  minutes INTEGER,"
    "  source TEXT NOT NULL,"
    "  recorded_at INTEGER NOT NULL,"
    "  PRIMARY KEY (session_id, participant_id))",
    /* Inbound mail: receipts for idempotence, and the notes filed. */
    "CREATE TABLE webhook_receipts ("
    "  id INTEGER PRIMARY KEY,"
    "  provider TEXT NOT NULL,"
    "  external_id TEXT NOT NULL,"
    "  received_at INTEGER NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  payload_sha256 TEXT,"
    "  UNIQUE (provider, external_id))",
    "CREATE TABLE notes ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  group_id INTEGER REFERENCES groups(id) ON DELETE SET NULL,"
    "  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
    "  week INTEGER,"
    "  participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,"
    "  from_addr TEXT NOT NULL,"
    "  subject TEXT,"
    "  body TEXT NOT NULL,"
    "  is_summary INTEGER NOT NULL DEFAULT 0,"
    "  message_id TEXT,"
    "  in_reply_to TEXT,"
    "  receipt_id INTEGER REFERENCES webhook_receipts(id),"
    "  received_at INTEGER NOT NULL)",
    "CREATE INDEX notes_group ON notes(group_id, week)",
    "CREATE UNIQUE INDEX notes_message ON notes(circle_id, message_id)"
    "  WHERE message_id IS NOT NULL",
    /* Outgoing mail, written before it is sent. */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER REFERENCES circles(id) ON DELETE SET NULL,"
    "  kind TEXT NOT NULL,"
    "  recipient TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  message BLOB NOT NULL,"
    "  dedupe_key TEXT UNIQUE,"
    "  status TEXT NOT NULL DEFAULT 'queued',"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  sent_at INTEGER)",
    "CREATE INDEX outbox_due ON outbox(status, next_attempt_at)",
    /* Secrets: API tokens and the URLs of feeds and pages (hashes only). */
    "CREATE TABLE tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  public_id TEXT NOT NULL UNIQUE,"
    "  hash BLOB NOT NULL,"
    "  kind TEXT NOT NULL DEFAULT 'api',"
    "  role TEXT NOT NULL,"
    "  circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,"
    "  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
    "  participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,"
    "  label TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  last_used_at INTEGER,"
    "  revoked_at INTEGER)",
    NULL};

/* Books: what the parser learnt, and readings cut inside a text. */
static const char *const migration_2[] = {
    "ALTER TABLE books ADD COLUMN no_structure INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE books ADD COLUMN utf8_repaired INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE books ADD COLUMN section_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sections ADD COLUMN is_thread INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sections ADD COLUMN total_words INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE readings ADD COLUMN text_start INTEGER",
    "ALTER TABLE readings ADD COLUMN text_end INTEGER",
    "CREATE UNIQUE INDEX books_one_per_circle ON books(circle_id)",
    NULL};

/* Calendars: each member's invitation series, and what each group's
 * calls look like now (sequence goes up on every change). */
static const char *const migration_3[] = {
    "ALTER TABLE groups ADD COLUMN uid TEXT",
    "ALTER TABLE groups ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE groups ADD COLUMN updated_at INTEGER",
    "ALTER TABLE sessions ADD COLUMN original_starts_at INTEGER",
    "CREATE TABLE invites ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    /* no foreign key on group_id: an invite outlives its group, so
     * the member can be sent the CANCEL */
    "  group_id INTEGER NOT NULL,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  group_sequence INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'active',"
    "  summary TEXT,"
    "  first_start INTEGER,"
    "  minutes INTEGER,"
    "  weeks INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (group_id, participant_id))",
    "CREATE INDEX outbox_circle ON outbox(circle_id, id)",
    "CREATE UNIQUE INDEX sessions_group_week ON sessions(group_id, week) "
    "WHERE group_id IS NOT NULL",
    NULL};

/* Outgoing mail kept as its bytes ("mime") or as an invitation's iTIP
 * document plus its other parts ("imip", see mail.h). */
static const char *const migration_4[] = {
    "ALTER TABLE outbox ADD COLUMN format TEXT NOT NULL DEFAULT 'mime'",
    "ALTER TABLE outbox ADD COLUMN parts TEXT", NULL};

/*
 * Notes as mail brings them: the first table had no room for a message
 * that reaches no circle (the review queue), its kind and state, or what
 * came with it. No version wrote to it, so it is made again.
 */
static const char *const migration_5[] = {
    "DROP TABLE notes",
    "CREATE TABLE notes ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,"
    "  group_id INTEGER REFERENCES groups(id) ON DELETE SET NULL,"
    "  week INTEGER,"
    "  thread_id INTEGER REFERENCES threads(id) ON DELETE SET NULL,"
    "  participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('summary', 'note')),"
    "  status TEXT NOT NULL CHECK (status IN ('published', 'review', "
    "    'rejected')),"
    "  review_reason TEXT,"
    "  provider TEXT NOT NULL,"
    "  event_id TEXT,"
    "  message_id TEXT,"
    "  in_reply_to TEXT,"
    "  from_name TEXT,"
    "  from_email TEXT NOT NULL,"
    "  recipient TEXT,"
    "  subject TEXT,"
    "  body TEXT NOT NULL,"
    "  full_text TEXT,"
    "  raw BLOB,"
    "  sent_at INTEGER,"
    "  received_at INTEGER NOT NULL,"
    "  decided_at INTEGER)",
    "CREATE UNIQUE INDEX notes_message ON notes(message_id)"
    "  WHERE message_id IS NOT NULL",
    "CREATE UNIQUE INDEX notes_event ON notes(provider, event_id)"
    "  WHERE event_id IS NOT NULL",
    "CREATE INDEX notes_circle ON notes(circle_id, week, group_id)",
    "CREATE INDEX notes_status ON notes(status, id)",
    "CREATE TABLE note_attachments ("
    "  note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  content BLOB,"
    "  PRIMARY KEY (note_id, position))",
    /* a note's sender is looked up by address across circles */
    "CREATE INDEX participants_email ON participants(email_norm)", NULL};

/*
 * The coordinator dashboard's browser sessions: made from an API token,
 * found by public id, the secret's SHA-256 only; a session ends when it
 * expires, is revoked, or its API token is.
 */
static const char *const migration_6[] = {
    "CREATE TABLE web_sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  public_id TEXT NOT NULL UNIQUE,"
    "  hash BLOB NOT NULL,"
    "  token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  revoked_at INTEGER)",
    "CREATE INDEX web_sessions_expiry ON web_sessions(expires_at)", NULL};

/*
 * Answers and targets: an RSVP keeps the SEQUENCE of the invitation it
 * answers (an older one is ignored) and may be for one occurrence; a
 * circle may have a target attendance per call.
 */
static const char *const migration_7[] = {
    "ALTER TABLE rsvps ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE circles ADD COLUMN attendance_target INTEGER", NULL};

/*
 * Plenary sessions: whole-circle calls (a kick-off, a closing session, a
 * series with a guest) with a capacity, and who registered or waits for
 * a place. One UID per plenary series; each registration keeps the
 * SEQUENCE last sent to that person.
 */
static const char *const migration_8[] = {
    "CREATE TABLE plenaries ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL,"
    "  guest TEXT,"
    "  starts_at INTEGER NOT NULL,"
    "  minutes INTEGER NOT NULL CHECK (minutes > 0),"
    "  weeks INTEGER NOT NULL DEFAULT 1 CHECK (weeks > 0),"
    "  capacity INTEGER NOT NULL CHECK (capacity > 0),"
    "  uid TEXT NOT NULL UNIQUE,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'confirmed',"
    "  created_at INTEGER NOT NULL)",
    "CREATE INDEX plenaries_circle ON plenaries(circle_id, starts_at)",
    "CREATE TABLE registrations ("
    "  plenary_id INTEGER NOT NULL REFERENCES plenaries(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  status TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', "
    "    'declined', 'withdrawn')),"
    "  position INTEGER NOT NULL DEFAULT 0,"
    "  invite_sequence INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (plenary_id, participant_id))",
    NULL};

/* The audit log: every coordinator action, who, what and when. No
 * foreign keys: the record outlives the circle and the token. */
static const char *const migration_9[] = {
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  label TEXT NOT NULL DEFAULT '',"
    "  via TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  circle_id INTEGER,"
    "  target TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  client TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX audit_by_circle ON audit_log(circle_id, id)", NULL};

/* Who holds an outbox claim (mg_process_tag), so a restarted daemon can
 * take back the claims of a sender that died. */
static const char *const migration_10[] = {
    "ALTER TABLE outbox ADD COLUMN claimed_by TEXT", NULL};

/* The circle's language: its pages and mail are written in it. */
static const char *const migration_11[] = {
    "ALTER TABLE circles ADD COLUMN language TEXT NOT NULL DEFAULT 'en'", NULL};

/*
 * One change costs what it touches: a change reconciles only the
 * invitations of the people it touches (found by person, not by scanning
 * the circle's), and a rebalance finds what changed since the groups
 * were last known to keep the rules (its mark) through indexes on when
 * people and memberships changed. (IF NOT EXISTS: tests wind the
 * version back to replay older migrations.)
 */
static const char *const migration_12[] = {
    "CREATE INDEX IF NOT EXISTS invites_participant ON invites(participant_id)",
    "CREATE INDEX IF NOT EXISTS participants_changed ON "
    "participants(circle_id, updated_at)",
    "CREATE INDEX IF NOT EXISTS participants_status ON participants(circle_id, "
    "status)",
    "CREATE INDEX IF NOT EXISTS memberships_joined ON memberships(joined_at)",
    /* only the closed ones: an index of the open ones' NULLs would
     * tempt the planner into walking every current membership */
    "CREATE INDEX IF NOT EXISTS memberships_left ON memberships(left_at) "
    "WHERE left_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS participant_links_other ON "
    "participant_links(other_email_norm)",
    "CREATE TABLE IF NOT EXISTS rebalance_marks ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  participants INTEGER NOT NULL,"
    "  max_id INTEGER NOT NULL,"
    "  smallest INTEGER NOT NULL,"
    "  largest INTEGER NOT NULL,"
    "  group_min INTEGER NOT NULL,"
    "  group_max INTEGER NOT NULL,"
    "  n_slots INTEGER NOT NULL,"
    "  room TEXT NOT NULL DEFAULT '[]',"
    "  own_memberships INTEGER NOT NULL DEFAULT 0,"
    "  own_groups INTEGER NOT NULL DEFAULT 0)",
    NULL};

/*
 * One series, one UID: a member's invitation carries their group's UID,
 * so the invites of one group share it (the UID is no longer unique; a
 * REPLY is matched by UID and the answering member's address). Each feed
 * keeps the digest of the body it last served and since when (its
 * Last-Modified), so Last-Modified moves only when the body does, and
 * only forward. SQLite cannot drop a UNIQUE constraint: the invites
 * table is made again with the same columns and rows.
 */
static const char *const migration_13[] = {
    "CREATE TABLE invites_next ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  group_id INTEGER NOT NULL,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  uid TEXT NOT NULL,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  group_sequence INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'active',"
    "  summary TEXT,"
    "  first_start INTEGER,"
    "  minutes INTEGER,"
    "  weeks INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (group_id, participant_id))",
    "INSERT INTO invites_next (id, circle_id, group_id, participant_id, uid, "
    "sequence, group_sequence, state, summary, first_start, minutes, weeks, "
    "updated_at) SELECT id, circle_id, group_id, participant_id, uid, "
    "sequence, group_sequence, state, summary, first_start, minutes, weeks, "
    "updated_at FROM invites",
    "DROP TABLE invites", "ALTER TABLE invites_next RENAME TO invites",
    "CREATE INDEX IF NOT EXISTS invites_participant ON invites(participant_id)",
    "CREATE INDEX IF NOT EXISTS invites_uid ON invites(uid)",
    /* one row per feed: a participant's, or a group's (participant_id
     * NULL); it goes with them */
    "CREATE TABLE IF NOT EXISTS feed_marks ("
    "  subject TEXT PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  participant_id INTEGER"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
    "  sha256 TEXT NOT NULL,"
    "  modified INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS feed_marks_participant ON "
    "feed_marks(participant_id) WHERE participant_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS feed_marks_group ON feed_marks(group_id) "
    "WHERE group_id IS NOT NULL",
    NULL};

/*
 * A group whose invitations could not be made (its cause, when), kept
 * until the group next reconciles fine, so the coordinator sees it in
 * the outbox view rather than only in the log. No reference to groups:
 * a dissolved group's CANCELs can fail too.
 */
static const char *const migration_14[] = {
    "CREATE TABLE IF NOT EXISTS calendar_failures ("
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  group_id INTEGER NOT NULL,"
    "  cause TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (circle_id, group_id))",
    NULL};

/*
 * Plenary RSVPs: a registered person's answer (accepted, declined,
 * tentative) for each weekly call of a plenary, from a REPLY for the
 * series or for one call (RECURRENCE-ID), with the SEQUENCE it answers;
 * and the Message-IDs of the REPLYs already applied, so a redelivered
 * REPLY is applied once.
 */
static const char *const migration_15[] = {
    "CREATE TABLE IF NOT EXISTS plenary_rsvps ("
    "  plenary_id INTEGER NOT NULL REFERENCES plenaries(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  week INTEGER NOT NULL CHECK (week > 0),"
    "  status TEXT NOT NULL CHECK (status IN ('accepted', 'declined', "
    "    'tentative')),"
    "  source TEXT NOT NULL,"
    "  sequence INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (plenary_id, week, participant_id))",
    "CREATE INDEX IF NOT EXISTS plenary_rsvps_participant ON "
    "plenary_rsvps(participant_id, plenary_id)",
    /* the counts per call read this index alone */
    "CREATE INDEX IF NOT EXISTS plenary_rsvps_counts ON "
    "plenary_rsvps(plenary_id, week, status)",
    "CREATE TABLE IF NOT EXISTS rsvp_receipts ("
    "  message_id TEXT PRIMARY KEY,"
    "  outcome TEXT NOT NULL,"
    "  received_at INTEGER NOT NULL)",
    NULL};

/*
 * Plenary attendance: a target per plenary (people per call; a table of
 * its own, so that tests that wind the version back can replay this
 * with IF NOT EXISTS), who came
 * to each weekly occurrence (imported from a webinar report, like a
 * group session's), and each occurrence's import: when, from what, and
 * how many in the report matched nobody registered; registrations by
 * status and waitlist order.
 */
static const char *const migration_16[] = {
    "CREATE TABLE IF NOT EXISTS plenary_targets ("
    "  plenary_id INTEGER PRIMARY KEY REFERENCES plenaries(id) ON DELETE "
    "CASCADE,"
    "  target INTEGER NOT NULL CHECK (target > 0))",
    "CREATE TABLE IF NOT EXISTS plenary_attendance ("
    "  plenary_id INTEGER NOT NULL REFERENCES plenaries(id) ON DELETE CASCADE,"
    "  week INTEGER NOT NULL CHECK (week > 0),"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  present INTEGER NOT NULL,"
    "  minutes INTEGER,"
    "  source TEXT NOT NULL,"
    "  recorded_at INTEGER NOT NULL,"
    "  PRIMARY KEY (plenary_id, week, participant_id))",
    "CREATE INDEX IF NOT EXISTS plenary_attendance_participant ON "
    "plenary_attendance(participant_id)",
    /* a waiting person's place and a plenary's counts, without reading
     * every registration */
    "CREATE INDEX IF NOT EXISTS registrations_queue ON "
    "registrations(plenary_id, "
    "status, position)",
    "CREATE TABLE IF NOT EXISTS plenary_imports ("
    "  plenary_id INTEGER NOT NULL REFERENCES plenaries(id) ON DELETE CASCADE,"
    "  week INTEGER NOT NULL CHECK (week > 0),"
    "  source TEXT NOT NULL,"
    "  unmatched INTEGER NOT NULL DEFAULT 0,"
    "  recorded_at INTEGER NOT NULL,"
    "  PRIMARY KEY (plenary_id, week))",
    NULL};

/*
 * A note is stored once per message and group, not once per message: a
 * message sent to two groups' addresses is filed in each. Its key is a
 * digest of the message's Message-ID (else its provider's event id,
 * else its sender, recipients, date, subject and text) and the address
 * it was filed by; notes from before keep their Message-ID lookups.
 * (Each statement can be replayed: tests wind the version back.)
 */
static const char *const migration_17[] = {
    "DROP INDEX IF EXISTS notes_message",
    "DROP INDEX IF EXISTS notes_event",
    "CREATE INDEX IF NOT EXISTS notes_by_message ON notes(message_id)"
    "  WHERE message_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS notes_by_event ON notes(provider, event_id)"
    "  WHERE event_id IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS note_keys ("
    "  key TEXT PRIMARY KEY,"
    "  note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE)",
    "CREATE INDEX IF NOT EXISTS note_keys_note ON note_keys(note_id)",
    NULL};

/*
 * A group's tokens by group: deleting a group (planning again) looks its
 * tokens up through this instead of reading every token once per group
 * (6,250 groups at 50,000 people: 3-5 s of a re-plan to 0.3 s).
 */
static const char *const migration_18[] = {
    "CREATE INDEX IF NOT EXISTS tokens_group ON tokens(group_id)", NULL};

/* The daemon's random keys by purpose (store/keys.c): what signs the
 * links and forms it checks again later. */
static const char *const migration_19[] = {"CREATE TABLE IF NOT EXISTS keys ("
                                           "  name TEXT PRIMARY KEY,"
                                           "  key BLOB NOT NULL,"
                                           "  created_at INTEGER NOT NULL)",
                                           NULL};

/*
 * The public sign-up page (store/signup.c): a circle's settings, and
 * with each person who signed up themselves what they consented to,
 * when their unconfirmed sign-up expires, the confirmation mails sent
 * (a re-send is limited) and their place on the circle's waitlist.
 */
static const char *const migration_20[] = {
    "CREATE TABLE IF NOT EXISTS signup_settings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('open', "
    "'closed')),"
    "  closes_at INTEGER NOT NULL DEFAULT 0,"
    "  capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),"
    "  sectors TEXT,"
    "  regions TEXT,"
    "  notice TEXT,"
    "  auto_place INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS signups ("
    "  participant_id INTEGER PRIMARY KEY"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  circle_id INTEGER NOT NULL,"
    "  volunteer INTEGER NOT NULL DEFAULT 0,"
    "  consent_version TEXT,"
    "  consent_at INTEGER,"
    "  expires_at INTEGER," /* while pending */
    "  mails INTEGER NOT NULL DEFAULT 0,"
    "  mail_at INTEGER,"
    "  waitlist_position INTEGER)",
    "CREATE INDEX IF NOT EXISTS signups_expiry ON signups(expires_at) "
    "WHERE expires_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS signups_waitlist ON signups(circle_id, "
    "waitlist_position) WHERE waitlist_position IS NOT NULL",
    NULL};

/*
 * Reminders and the jobs behind them: a circle's reminder settings
 * (offsets before a call in minutes, on/off, the days after a call
 * before the coordinator is told a summary is missing: the column
 * defaults are the defaults), who turned reminders off, and the jobs table:
 * one row per thing to do at a time (a group call's reminder at one
 * offset, the facilitator's mail after it, the coordinator's nudge),
 * unique by key, found by (status, due_at). A job's due time is its
 * session's start plus offset_minutes (plus the call's length for what
 * comes after the call); the trigger keeps the due time of waiting jobs
 * with their session when it moves, and makes a reminder already sent
 * for the old time due again for the new one.
 */
static const char *const migration_21[] = {
    "CREATE TABLE IF NOT EXISTS reminder_settings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  offsets TEXT NOT NULL DEFAULT '1440,60',"
    "  nudge_days INTEGER NOT NULL DEFAULT 3,"
    "  updated_at INTEGER NOT NULL)",
    /* a table, not a column: tests wind the version back and replay */
    "CREATE TABLE IF NOT EXISTS reminder_optouts ("
    "  participant_id INTEGER PRIMARY KEY"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'followup', 'nudge')),"
    "  key TEXT NOT NULL UNIQUE,"
    "  session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,"
    "  group_id INTEGER,"
    "  participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,"
    "  offset_minutes INTEGER NOT NULL DEFAULT 0,"
    "  due_at INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', "
    "    'done', 'skipped', 'late')),"
    "  done_at INTEGER,"
    "  note TEXT)",
    "CREATE INDEX IF NOT EXISTS jobs_due ON jobs(status, due_at)",
    "CREATE INDEX IF NOT EXISTS jobs_session ON jobs(session_id)",
    "CREATE INDEX IF NOT EXISTS jobs_circle ON jobs(circle_id, due_at)",
    /* a reminder already sent for the old time is due again for the
     * new one (its mail's key has the call's start in it) */
    "CREATE TRIGGER IF NOT EXISTS jobs_follow_session AFTER UPDATE OF "
    "starts_at, minutes ON sessions BEGIN "
    "UPDATE jobs SET due_at = NEW.starts_at + offset_minutes * 60 + "
    "CASE kind WHEN 'reminder' THEN 0 ELSE NEW.minutes * 60 END, "
    "note = CASE status WHEN 'queued' THEN note ELSE 'the call moved' END, "
    "done_at = CASE status WHEN 'queued' THEN done_at ELSE NULL END, "
    "status = 'queued' "
    "WHERE session_id = NEW.id AND (status = 'queued' OR (kind = "
    "'reminder' AND status = 'done' AND NEW.starts_at <> OLD.starts_at)); "
    "END",
    NULL};

/*
 * A call room per group and calendar alarms, in tables of their own (so
 * tests that wind the version back can replay this): a circle's call
 * link template and its alarm's minutes before each call (0: none; no
 * row: 15); a group's own link (NULL: the template's or the circle's)
 * and the random part of the template's room name, made once per group
 * (groups from before get theirs here); a plenary's own link.
 */
static const char *const migration_22[] = {
    "CREATE TABLE IF NOT EXISTS circle_calls ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE "
    "CASCADE,"
    "  call_url_template TEXT,"
    "  alarm_minutes INTEGER NOT NULL DEFAULT 15)",
    "CREATE TABLE IF NOT EXISTS group_rooms ("
    "  group_id INTEGER PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,"
    "  call_url TEXT,"
    "  secret TEXT NOT NULL)",
    "INSERT OR IGNORE INTO group_rooms (group_id, secret) SELECT id, "
    "lower(hex(randomblob(12))) FROM groups",
    "CREATE TABLE IF NOT EXISTS plenary_rooms ("
    "  plenary_id INTEGER PRIMARY KEY REFERENCES plenaries(id) ON DELETE "
    "CASCADE,"
    "  call_url TEXT NOT NULL)",
    NULL};

/*
 * Migration 23 (issue #18, item 11): what a participant in a group asks
 * on their own page (other call times or thread wishes), for the
 * coordinator to act on: open until moved (done) or dismissed. Slots and
 * wishes are comma-separated ids, wishes best first.
 */
static const char *const migration_23[] = {
    "CREATE TABLE IF NOT EXISTS move_requests ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  slots TEXT NOT NULL DEFAULT '',"
    "  threads TEXT NOT NULL DEFAULT '',"
    "  note TEXT,"
    "  status TEXT NOT NULL DEFAULT 'open'"
    "    CHECK (status IN ('open', 'done', 'dismissed')),"
    "  created_at INTEGER NOT NULL,"
    "  decided_at INTEGER)",
    "CREATE INDEX IF NOT EXISTS move_requests_circle"
    "  ON move_requests(circle_id, status, id)",
    "CREATE INDEX IF NOT EXISTS move_requests_person"
    "  ON move_requests(participant_id)",
    NULL};

/*
 * Migration 24: a job that failed for a passing reason (the disk, the
 * database) is tried again later rather than given up: how many times it
 * was tried, and the last error, in a table of its own (tests wind the
 * version back and replay; a column could not be added twice). And a
 * call that moves takes its finished jobs back with it: a reminder that
 * was late or skipped (the daemon was down over the old time, a nearer
 * one was due, it failed) is due again for the new time, as one already
 * sent was; so is what comes after the call, unless it was sent (its
 * mail is once per call). Not those of a call that is called off, nor
 * when only the length changes. The round decides again whether each is
 * late or superseded at the new time. A trigger, so that every writer of
 * a call's time (a single call, a series, a retimed plan) moves its jobs
 * in the same transaction, and a crash between the two cannot lose them.
 */
static const char *const migration_24[] = {
    "CREATE TABLE IF NOT EXISTS job_attempts ("
    "  job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,"
    "  attempts INTEGER NOT NULL,"
    "  error TEXT)",
    "DROP TRIGGER IF EXISTS jobs_follow_session",
    "CREATE TRIGGER jobs_follow_session AFTER UPDATE OF "
    "starts_at, minutes ON sessions BEGIN "
    "UPDATE jobs SET due_at = NEW.starts_at + offset_minutes * 60 + "
    "CASE kind WHEN 'reminder' THEN 0 ELSE NEW.minutes * 60 END, "
    "note = CASE status WHEN 'queued' THEN note ELSE 'the call moved' END, "
    "done_at = CASE status WHEN 'queued' THEN done_at ELSE NULL END, "
    "status = 'queued' "
    "WHERE session_id = NEW.id AND (status = 'queued' OR ("
    "NEW.starts_at <> OLD.starts_at AND NEW.status <> 'cancelled' AND "
    "(kind = 'reminder' OR status <> 'done'))); "
    "DELETE FROM job_attempts WHERE NEW.starts_at <> OLD.starts_at AND "
    "job_id IN (SELECT id FROM jobs WHERE session_id = NEW.id); "
    "END",
    NULL};

/*
 * The evaluation survey (tables of their own, replayable): a circle's
 * settings (NULL times: the defaults, worked out from its calls) and its
 * questions when the coordinator set them (none: the default set); the
 * opening job, one per circle (the jobs table's kinds are fixed by its
 * CHECK, which a replayable migration cannot widen), with how far its
 * mail has gone (the last person id mailed); the responses and their
 * answers. A named response has its participant_id; an anonymous one has
 * none, a random id, no time, and only the SHA-256 of an edit token the
 * person holds; who answered an anonymous survey is kept apart, as a
 * keyed hash of circle and person in a table ordered by that hash.
 */
static const char *const migration_25[] = {
    "CREATE TABLE IF NOT EXISTS survey_settings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  opens_at INTEGER,"
    "  closes_at INTEGER,"
    "  anonymous INTEGER NOT NULL DEFAULT 1,"
    "  closed_at INTEGER,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS survey_questions ("
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  qid TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('scale', 'single', 'multiple', "
    "    'text')),"
    "  text TEXT NOT NULL,"
    "  options TEXT NOT NULL DEFAULT '',"
    "  required INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (circle_id, position))",
    "CREATE TABLE IF NOT EXISTS survey_jobs ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  due_at INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', "
    "    'done', 'skipped')),"
    "  cursor INTEGER NOT NULL DEFAULT 0,"
    "  mails INTEGER NOT NULL DEFAULT 0,"
    "  done_at INTEGER,"
    "  note TEXT)",
    "CREATE INDEX IF NOT EXISTS survey_jobs_due ON survey_jobs(status, due_at)",
    "CREATE TABLE IF NOT EXISTS survey_responses ("
    "  id INTEGER PRIMARY KEY,"
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,"
    "  edit_hash BLOB,"
    "  updated_at INTEGER)",
    "CREATE UNIQUE INDEX IF NOT EXISTS survey_responses_person ON "
    "survey_responses(circle_id, participant_id) WHERE participant_id IS "
    "NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS survey_responses_edit ON "
    "survey_responses(circle_id, edit_hash) WHERE edit_hash IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS survey_answers ("
    "  response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON "
    "    DELETE CASCADE,"
    "  qid TEXT NOT NULL,"
    "  value INTEGER NOT NULL DEFAULT 0,"
    "  text TEXT,"
    /* no rowid: the order rows were written in would say which response
     * came when, which an anonymous survey must not keep */
    "  PRIMARY KEY (response_id, qid, value)) WITHOUT ROWID",
    /* a circle's last call moved earlier or called off: its opening,
     * when that call set it, comes earlier too (the round works out the
     * true time when it comes, and waits again if that is later) */
    "CREATE TRIGGER IF NOT EXISTS survey_follow_calls AFTER UPDATE OF "
    "starts_at, minutes, status ON sessions WHEN NEW.group_id IS NOT NULL "
    "BEGIN UPDATE survey_jobs SET due_at = CASE NEW.status WHEN "
    "'cancelled' THEN OLD.starts_at ELSE NEW.starts_at + NEW.minutes * 60 "
    "END WHERE circle_id = NEW.circle_id AND status = 'queued' AND due_at "
    "= OLD.starts_at + OLD.minutes * 60 AND (NEW.status = 'cancelled' OR "
    "NEW.starts_at + NEW.minutes * 60 < due_at); END",
    /* who came, by person: whom the survey asks, person by person */
    "CREATE INDEX IF NOT EXISTS attendance_participant ON "
    "attendance(participant_id, present)",
    "CREATE TABLE IF NOT EXISTS survey_answered ("
    "  circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,"
    "  hash BLOB NOT NULL,"
    "  PRIMARY KEY (circle_id, hash)) WITHOUT ROWID",
    NULL};

/*
 * Migration 26 (issue #19, item 5): how long a circle's personal data is
 * kept after its last call (no row: the default; days NULL: until purged
 * by hand) and whether its summaries are kept without names; and each
 * circle's purge: begun, finished, what went, and the success report as
 * it was just before (its JSON document), which the report is read from
 * from then on. And the indexes an erasure needs to find a person's
 * rows without reading every table (a circle of 50,000 people is erased
 * one person at a time), and one that finds when a circle's last call
 * ends (a page says when its data goes). Migration 25's
 * attendance_participant (by person and presence) already serves the
 * erasure, so this one's of the same name is skipped.
 */
static const char *const migration_26[] = {
    "CREATE TABLE IF NOT EXISTS retention_settings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  days INTEGER CHECK (days IS NULL OR days > 0),"
    "  keep_summaries INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS retention_purges ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  started_at INTEGER NOT NULL,"
    "  finished_at INTEGER,"
    "  forced INTEGER NOT NULL DEFAULT 0,"
    "  keep_summaries INTEGER NOT NULL DEFAULT 0,"
    "  people INTEGER NOT NULL DEFAULT 0,"
    "  summaries INTEGER NOT NULL DEFAULT 0,"
    "  report TEXT)",
    "CREATE INDEX IF NOT EXISTS memberships_participant ON "
    "memberships(participant_id)",
    "CREATE INDEX IF NOT EXISTS rsvps_participant ON rsvps(participant_id)",
    "CREATE INDEX IF NOT EXISTS attendance_participant ON "
    "attendance(participant_id)",
    "CREATE INDEX IF NOT EXISTS registrations_participant ON "
    "registrations(participant_id)",
    "CREATE INDEX IF NOT EXISTS notes_participant ON notes(participant_id)",
    "CREATE INDEX IF NOT EXISTS notes_from ON notes(lower(from_email))",
    "CREATE INDEX IF NOT EXISTS outbox_recipient ON outbox(lower(recipient))",
    "CREATE INDEX IF NOT EXISTS tokens_participant ON tokens(participant_id)",
    "CREATE INDEX IF NOT EXISTS jobs_participant ON jobs(participant_id)",
    /* when a circle's last call ends, without reading its calls */
    "CREATE INDEX IF NOT EXISTS sessions_circle_end ON sessions(circle_id, "
    "starts_at + minutes * 60)",
    /* circles older than this migration keep their data until their
     * coordinator sets a period: an upgrade erases nothing by itself */
    "INSERT OR IGNORE INTO retention_settings (circle_id, days, "
    "keep_summaries, updated_at) SELECT id, NULL, 0, CAST(strftime('%s', "
    "'now') AS INTEGER) FROM circles",
    NULL};

/*
 * Certificates of participation: a circle's settings (the issuer's name,
 * NULL for the organizer's; the line under it; whether each person gets
 * theirs by mail when the circle closes), the figures each certificate
 * was issued with (so a code made before attendance changed is told
 * apart from a forged one; the codes themselves are never stored), and
 * the circles whose certificates went out by mail (and how far a
 * mailing under way got).
 */
static const char *const migration_27[] = {
    "CREATE TABLE IF NOT EXISTS certificate_settings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  issuer_name TEXT,"
    "  signature_title TEXT,"
    "  mail_at_close INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS certificate_issued ("
    "  participant_id INTEGER NOT NULL"
    "    REFERENCES participants(id) ON DELETE CASCADE,"
    "  group_calls INTEGER NOT NULL,"
    "  plenary_calls INTEGER NOT NULL,"
    "  minutes INTEGER NOT NULL,"
    "  facilitator INTEGER NOT NULL,"
    "  issued_at INTEGER NOT NULL,"
    "  PRIMARY KEY (participant_id, group_calls, plenary_calls, minutes,"
    "    facilitator)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS certificate_mailings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  done_at INTEGER NOT NULL,"
    "  people INTEGER NOT NULL)",
    /* a mailing under way: the last person done (by id), the mails so
     * far, and after a failure how many in a row and when to try again */
    "CREATE TABLE IF NOT EXISTS certificate_mail_progress ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,"
    "  cursor INTEGER NOT NULL DEFAULT 0,"
    "  people INTEGER NOT NULL DEFAULT 0,"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  retry_at INTEGER NOT NULL DEFAULT 0)",
    NULL};

/*
 * Migration 28 (issue #19, item 3): a circle's CPD journal settings, in
 * a table of their own (tests wind the version back and replay): the
 * Body of Knowledge areas and domains it covers (ids of the list in
 * data/cpd/, comma-separated), and the activity title, provider and
 * reflection template (NULL: the defaults). And the notes a person sent
 * by person and week, for the rows of one person's page without reading
 * the whole circle (the calls they came to are found by migration 25's
 * attendance_participant).
 */
static const char *const migration_28[] = {
    "CREATE TABLE IF NOT EXISTS cpd_settings ("
    "  circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE "
    "CASCADE,"
    "  areas TEXT,"
    "  domains TEXT,"
    "  title TEXT,"
    "  provider TEXT,"
    "  prompt TEXT,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS notes_participant_week ON "
    "notes(participant_id, week)",
    NULL};

const char *const *const mg_store_migrations[] = {
    migration_1,  migration_2,  migration_3,  migration_4,  migration_5,
    migration_6,  migration_7,  migration_8,  migration_9,  migration_10,
    migration_11, migration_12, migration_13, migration_14, migration_15,
    migration_16, migration_17, migration_18, migration_19, migration_20,
    migration_21, migration_22, migration_23, migration_24, migration_25,
    migration_26, migration_27, migration_28};
const int mg_store_n_migrations =
    (int)(sizeof(mg_store_migrations) / sizeof(mg_store_migrations[0]));
