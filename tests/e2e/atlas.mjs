#!/usr/bin/env node
// atlas.mjs: the Atlas circle end to end, from an empty database. A
// coordinator creates a four-week circle in Pacific/Auckland, loads the
// Atlas outline, imports 16 librarians, forms two groups (one thread
// each) whose invitations go to a real SMTP server on loopback; a
// participant's feed is fetched and expanded; facilitators' summaries come
// in through the Mailgun webhook each week; a late joiner is placed
// without moving anyone; one call moves and everyone in the group gets the
// update; the digest holds every summary; and the dashboard and people's
// pages are driven in headless Chromium, with screenshots in out/.
//
// usage: node tests/e2e/atlas.mjs [PATH/TO/mingle]   (or $MINGLE_BIN)
// needs: /usr/bin/python3 with aiosmtpd, /usr/bin/chromium, and
// `npm ci --prefix tests/e2e` (playwright-core). Exits 1 on the first
// failed check, and always stops what it started.

import { spawn, execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const mingle = path.resolve(process.argv[2] || process.env.MINGLE_BIN ||
                            path.join(repo, 'build/mingle'));
const outDir = path.join(here, 'out');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const python = '/usr/bin/python3';

const work = mkdtempSync(path.join(os.tmpdir(), 'mingle-e2e-'));
const children = [];
let browser = null;
const started = Date.now();

// ---- reporting ------------------------------------------------------------

function step(title) {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[${s}s] ${title}`);
}

function ok(what) {
  console.log(`         ok: ${what}`);
}

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) {
    const more = detail === undefined ? '' :
      `\n  ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
    throw new CheckFailed(`${what}${more}`);
  }
  ok(what);
}

// ---- processes --------------------------------------------------------------

function stopAll() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try { c.kill('SIGTERM'); } catch { /* already gone */ }
    }
  }
}

process.on('exit', () => {
  stopAll();
  if (!process.env.E2E_KEEP) rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { console.error(`e2e: ${sig}, stopping`); process.exit(1); });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(name, cmd, args, env, logFile) {
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.log = '';
  const keep = (d) => { child.log += d.toString(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, sig) => {
    if (logFile) writeFileSync(logFile, child.log);
    if (!child.stopping) child.died = `${name} exited (${code ?? sig})`;
  });
  children.push(child);
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs = 15000, everyMs = 100) {
  const until = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > until) throw new CheckFailed(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

// ---- HTTP -----------------------------------------------------------------

let base = '';
let token = '';

async function api(method, urlPath, body, { type, expect, auth = true } = {}) {
  const headers = {};
  if (auth) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      payload = body;
      headers['Content-Type'] = type || 'application/octet-stream';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(base + urlPath, { method, headers, body: payload });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (expect !== undefined && res.status !== expect) {
    throw new CheckFailed(`${method} ${urlPath}: status ${res.status}, expected ${expect}\n  ${text.slice(0, 600)}`);
  }
  return { status: res.status, json, text, headers: res.headers };
}

// ---- mail (the SMTP server's maildir) -------------------------------------

function parseHeaders(block) {
  const lines = block.replace(/\r\n/g, '\n').split('\n');
  const out = {};
  let last = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) { out[last] += ' ' + line.trim(); continue; }
    const i = line.indexOf(':');
    if (i < 0) continue;
    last = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    out[last] = out[last] === undefined ? v : `${out[last]}, ${v}`;
  }
  return out;
}

function param(header, name) {
  const m = new RegExp(`${name}="?([^";]+)"?`, 'i').exec(header || '');
  return m ? m[1] : null;
}

function decodeBody(body, cte) {
  const enc = (cte || '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

// A MIME message as a flat list of leaf parts {type, headers, text}.
function mimeParts(raw) {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = parseHeaders(raw.slice(0, cut));
  const body = raw.slice(cut).replace(/^\r?\n\r?\n/, '');
  const type = (head['content-type'] || 'text/plain').split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const b = param(head['content-type'], 'boundary');
    const pieces = body.split(`--${b}`).slice(1);
    const parts = [];
    for (const p of pieces) {
      if (p.startsWith('--')) break;
      parts.push(...mimeParts(p.replace(/^\r?\n/, '')));
    }
    return parts.map((p) => ({ ...p, top: head }));
  }
  return [{ type, headers: head, text: decodeBody(body, head['content-transfer-encoding']), top: head }];
}

function readMail(maildir) {
  const mails = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(maildir, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      const cut = raw.search(/\r?\n\r?\n/);
      const head = parseHeaders(raw.slice(0, cut));
      const parts = mimeParts(raw);
      const cal = parts.find((p) => p.type === 'text/calendar');
      const ics = cal ? unfold(cal.text) : '';
      mails.push({
        file: f,
        to: (head['x-rcptto'] || head.to || '').toLowerCase(),
        subject: head.subject || '',
        method: (/^METHOD:(.*)$/m.exec(ics) || [])[1] || null,
        calMethod: cal ? param(cal.headers['content-type'], 'method') : null,
        uid: (/^UID:(.*)$/m.exec(ics) || [])[1] || null,
        sequence: Number((/^SEQUENCE:(\d+)$/m.exec(ics) || [])[1] ?? -1),
        ics,
        parts,
      });
    }
  }
  return mails;
}

// ---- iCalendar --------------------------------------------------------------

function unfold(ics) {
  return ics.replace(/\r\n/g, '\n').replace(/\n[ \t]/g, '');
}

// The VEVENTs of a calendar, each as {NAME: [{params, value}]}.
function vevents(ics) {
  const events = [];
  let cur = null;
  for (const line of unfold(ics).split('\n')) {
    if (line === 'BEGIN:VEVENT') { cur = {}; continue; }
    if (line === 'END:VEVENT') { events.push(cur); cur = null; continue; }
    if (!cur) continue;
    const colon = line.indexOf(':');
    const [name, ...ps] = line.slice(0, colon).split(';');
    const params = Object.fromEntries(ps.map((p) => p.split('=')));
    (cur[name] ||= []).push({ params, value: line.slice(colon + 1) });
  }
  return events;
}

// Offset of `tz` from UTC at instant `ms`, in ms, from Intl's tz database.
function tzOffset(ms, tz) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - ms;
}

// Wall time y-m-d h:m in `tz` to a UTC instant (ms); the calls are never
// in a DST gap or overlap, so two rounds settle it.
function wallToUtc(y, mo, d, h, mi, tz) {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let utc = guess - tzOffset(guess, tz);
  utc = guess - tzOffset(utc, tz);
  return utc;
}

// "20270323T193000" with TZID, or "...Z", to a UTC instant (ms).
function icalTime(prop) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(prop.value);
  if (!m) throw new CheckFailed(`cannot read time '${prop.value}'`);
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  if (m[7] === 'Z') return Date.UTC(y, mo - 1, d, h, mi);
  return wallToUtc(y, mo, d, h, mi, prop.params.TZID);
}

// The instants (ISO UTC) of every series in a feed: RRULE FREQ=WEEKLY;COUNT=n
// stepped in wall time, less EXDATEs, with RECURRENCE-ID overrides applied.
// Only what mingle emits is handled; anything else is a failure.
function expand(ics) {
  const evs = vevents(ics);
  const masters = evs.filter((e) => e.RRULE);
  const overrides = evs.filter((e) => e['RECURRENCE-ID']);
  check(masters.length >= 1, `the feed has a recurring VEVENT (${masters.length})`);
  const out = [];
  for (const m of masters) {
    const uid = m.UID[0].value;
    const rule = Object.fromEntries(m.RRULE[0].value.split(';').map((p) => p.split('=')));
    check(rule.FREQ === 'WEEKLY' && rule.COUNT && !rule.UNTIL && !rule.BYDAY,
      `${uid}: RRULE is a plain weekly count (${m.RRULE[0].value})`);
    const start = m.DTSTART[0];
    const tz = start.params.TZID;
    const mm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/.exec(start.value);
    const [y, mo, d, h, mi] = mm.slice(1).map(Number);
    const ex = new Set((m.EXDATE || []).flatMap((p) =>
      p.value.split(',').map((v) => icalTime({ params: p.params, value: v }))));
    const moved = new Map();
    for (const o of overrides.filter((e) => e.UID[0].value === uid)) {
      moved.set(icalTime(o['RECURRENCE-ID'][0]), icalTime(o.DTSTART[0]));
    }
    for (let i = 0; i < Number(rule.COUNT); i++) {
      const day = new Date(Date.UTC(y, mo - 1, d + 7 * i));
      const t = wallToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), h, mi, tz);
      if (ex.has(t)) continue;
      out.push(new Date(moved.has(t) ? moved.get(t) : t).toISOString());
    }
  }
  return out.sort();
}

// ---- the story --------------------------------------------------------------

// The calls: Tuesdays 19:30 in Auckland from 2027-03-23, across the end of
// daylight saving on 2027-04-04. Worked out independently with Python's
// zoneinfo: datetime(2027,3,23,19,30,tzinfo=ZoneInfo('Pacific/Auckland'))
// .astimezone(timezone.utc), and so on for each date.
const CALLS_UTC = [
  '2027-03-23T06:30:00.000Z', // NZDT, UTC+13
  '2027-03-30T06:30:00.000Z',
  '2027-04-06T07:30:00.000Z', // NZST, UTC+12
  '2027-04-13T07:30:00.000Z',
];
// Week 3's call of group 1 moves to Thursday 2027-04-08 19:30 NZST.
const MOVED_LOCAL = '2027-04-08T19:30';
const MOVED_UTC = '2027-04-08T07:30:00.000Z';

const SLUG = 'atlas';
const TITLE = 'The Atlas of New Librarianship';
const XSS = '<img src=x onerror="window.__pwned=1">';
const LATE = { name: `Rangi Parata ${XSS}`, email: 'rangi.parata@example.org' };

async function main() {
  step(`setup: mingle ${mingle}, scratch ${work}`);
  check(existsSync(mingle), `the mingle binary exists (${mingle})`);
  mkdirSync(outDir, { recursive: true });

  // SMTP server: aiosmtpd on loopback, storing what it gets in a maildir.
  const smtpPort = await freePort();
  const inbox = path.join(work, 'inbox');
  const smtp = start('aiosmtpd', python, ['-m', 'aiosmtpd', '-n', '-l',
    `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', inbox], {});
  await waitFor('aiosmtpd to listen', async () => {
    if (smtp.died) throw new CheckFailed(`${smtp.died}: is python3-aiosmtpd installed?\n${smtp.log}`);
    return canConnect(smtpPort);
  });
  ok(`SMTP server on 127.0.0.1:${smtpPort}`);

  // An empty database and a coordinator token.
  const db = path.join(work, 'atlas.db');
  token = execFileSync(mingle, ['token', 'create', '--role', 'coordinator',
    '--label', 'e2e', '--db', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  check(/^mgt_[0-9a-f]+_[0-9a-f]+$/.test(token), 'a coordinator token from an empty database');

  // The daemon.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const signingKey = randomBytes(16).toString('hex');
  const daemon = start('mingle serve', mingle, ['serve', '--port', String(port), '--db', db], {
    MINGLE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MINGLE_OUTBOX_INTERVAL: '1',
    MINGLE_MAILGUN_SIGNING_KEY: signingKey,
    MINGLE_MAILGUN_MAX_AGE: '600',
    MINGLE_BASE_URL: base,
    MINGLE_MAIL_FROM: 'circles@example.org',
    MINGLE_MAILDIR: path.join(work, 'unused-maildir'),
  }, path.join(outDir, 'mingle.log'));
  await waitFor('mingle serve to answer /healthz', async () => {
    if (daemon.died) throw new CheckFailed(`${daemon.died}\n${daemon.log}`);
    try { return (await fetch(`${base}/healthz`)).ok; } catch { return false; }
  });
  ok(`mingle serve on ${base}`);

  // 1. The circle.
  step('a coordinator creates a four-week circle in Pacific/Auckland');
  const circle = (await api('POST', '/api/v1/circles', {
    title: TITLE, slug: SLUG, time_zone: 'Pacific/Auckland', start_date: '2027-03-23',
    weeks: 4, slots: [{ weekday: 'tuesday', start: '19:30', minutes: 60 }],
    // 6-9: sixteen people make two groups of eight, and the late joiner
    // fits in one of them without anyone moving.
    group_size: { min: 6, max: 9 },
    video_url: 'https://meet.example.org/atlas',
    organizer: { name: 'Reading circle coordinators', email: 'circles@example.org' },
  }, { expect: 201 })).json;
  const C = `/api/v1/circles/${circle.id}`;
  check(circle.time_zone === 'Pacific/Auckland' && circle.weeks === 4, `circle ${circle.id} '${circle.title}'`);

  // 2. The book.
  step('loads the Atlas outline');
  const book = await api('POST', `${C}/book?name=atlas-outline.md`,
    readFileSync(path.join(repo, 'data/atlas-outline.md')), { type: 'text/markdown', expect: 201 });
  const threads = (await api('GET', `${C}/threads`, undefined, { expect: 200 })).json.threads;
  check(Array.isArray(threads) && threads.length === 6, `six conversation threads (${threads?.length})`, book.text.slice(0, 300));

  // 3. The people, from the registration export.
  step('imports 16 people from several library sectors with two facilitators');
  const csv = readFileSync(path.join(repo, 'data/demo-people.csv'), 'utf8');
  const rows = csv.trim().split('\n').slice(1).map((l) => l.split(','));
  check(rows.length === 16, 'data/demo-people.csv has 16 people');
  check(rows.filter((r) => r[2] === 'facilitator').length === 2, 'two of them are facilitators');
  check(new Set(rows.map((r) => r[3])).size >= 3, `several sectors (${[...new Set(rows.map((r) => r[3]))].join(', ')})`);
  await api('POST', `${C}/participants`, csv, { type: 'text/csv', expect: 201 });
  const people = (await api('GET', `${C}/participants?limit=100`, undefined, { expect: 200 })).json.participants;
  check(people.length === 16, `16 registered (${people.length})`);
  check(people.filter((p) => p.role === 'facilitator').length === 2, 'two registered as facilitators');

  // 4. Two groups, a thread each; invitations queued.
  step('forms two groups, each on its own thread');
  const plan = (await api('POST', `${C}/groups/plan?seed=1`, undefined, { expect: 201 })).json;
  check(plan.invitations_queued === 16, `16 invitations queued (${plan.invitations_queued})`);
  let groups = (await api('GET', `${C}/groups`, undefined, { expect: 200 })).json.groups;
  check(groups.length === 2, `two groups (${groups.length})`);
  check(groups.every((g) => g.facilitators === 1 && g.size === 8), 'eight people and one facilitator in each',
    groups.map((g) => [g.size, g.facilitators]));
  check(groups.every((g) => g.thread) && groups[0].thread.id !== groups[1].thread.id,
    `each on its own thread (${groups.map((g) => g.thread?.title).join(' / ')})`);
  const memberOf = (gs) => new Map(gs.flatMap((g) => g.members.map((m) => [m.id, g.id])));
  const before = memberOf(groups);
  const facilitatorOf = (g) => g.members.find((m) => m.role === 'facilitator');

  // 5. Invitations through SMTP.
  step('sends invites to the local SMTP server');
  const inboxDir = inbox;
  let mails = await waitFor('16 invitations in the SMTP server', () => {
    const m = readMail(inboxDir);
    return m.length >= 16 ? m : null;
  }, 20000, 200);
  check(mails.length === 16, `16 messages delivered (${mails.length})`);
  for (const p of people) {
    const mine = mails.filter((m) => m.to.includes(p.email.toLowerCase()));
    if (mine.length !== 1 || mine[0].method !== 'REQUEST' || mine[0].calMethod !== 'REQUEST' ||
        mine[0].sequence !== 0 || !/RRULE:FREQ=WEEKLY;COUNT=4/.test(mine[0].ics)) {
      throw new CheckFailed(`${p.email} did not get one REQUEST with SEQUENCE:0 and a weekly RRULE`,
        mine.map((m) => [m.subject, m.method, m.sequence]));
    }
  }
  ok('each of the 16 got one METHOD:REQUEST (text/calendar; method=REQUEST), SEQUENCE:0, RRULE weekly x4');
  const uidOf = new Map(people.map((p) => [p.email.toLowerCase(),
    mails.find((m) => m.to.includes(p.email.toLowerCase())).uid]));

  // 6. A participant's feed, fetched and expanded.
  step("a participant's feed is fetched and expanded");
  const g1 = groups.find((g) => g.position === 1);
  const reader = g1.members.find((m) => m.role === 'participant');
  const feed = (await api('POST', `${C}/participants/${reader.id}/feed`, undefined, { expect: 201 })).json;
  check(feed.url.startsWith(`${base}/cal/`) && feed.webcal.startsWith('webcal://'), `feed URL for ${reader.name}`);
  const feedRes = await fetch(feed.url);
  const ics = await feedRes.text();
  check(feedRes.status === 200 && /^text\/calendar/.test(feedRes.headers.get('content-type')),
    'the feed is served as text/calendar');
  check(/BEGIN:VTIMEZONE\r?\nTZID:Pacific\/Auckland/.test(ics) && !/^METHOD:/m.test(ics),
    'it carries the Pacific/Auckland VTIMEZONE and no METHOD');
  let instants = expand(ics);
  check(JSON.stringify(instants) === JSON.stringify(CALLS_UTC),
    `its four calls are Tuesdays 19:30 Auckland across the DST change: ${instants.join(', ')}`,
    { expected: CALLS_UTC, got: instants });

  // 7-10. The weeks: a summary from each facilitator through Mailgun,
  // the late joiner after week 1, the moved call after week 2.
  const summaries = [];
  async function postSummary(group, week) {
    const fac = facilitatorOf(group);
    const ts = String(Math.floor(Date.now() / 1000));
    const tok = randomBytes(25).toString('hex');
    const phrase = `Summary-G${group.position}-W${week}: we talked about ${group.thread.title} (${randomBytes(4).toString('hex')})`;
    const form = new URLSearchParams({
      recipient: `${SLUG}+g${group.position}-w${week}@circles.example.org`,
      sender: fac.email,
      from: `${fac.name} <${fac.email}>`,
      subject: `Week ${week} summary`,
      'body-plain': `${phrase}\n\nNgā mihi,\n${fac.name}\n`,
      'Message-Id': `<g${group.position}w${week}.${tok.slice(0, 12)}@mail.example.org>`,
      timestamp: ts,
      token: tok,
      signature: createHmac('sha256', signingKey).update(ts + tok).digest('hex'),
    });
    const res = await fetch(`${base}/hooks/mail/mailgun`, {
      method: 'POST', body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const text = await res.text();
    if (res.status !== 200) throw new CheckFailed(`Mailgun webhook for group ${group.position} week ${week}: ${res.status} ${text}`);
    summaries.push({ group: group.position, week, phrase, form });
    return form;
  }
  async function week(n) {
    step(`week ${n}: each facilitator's summary arrives through the Mailgun webhook`);
    for (const g of groups) await postSummary(g, n);
    const notes = (await api('GET', `${C}/notes?week=${n}&kind=summary`, undefined, { expect: 200 })).json;
    const list = notes.notes || notes.items || [];
    check(list.length === 2, `two summaries filed for week ${n} (${list.length})`, notes);
  }

  await week(1);
  // Mailgun retrying the same event: 200, stored once.
  const again = await fetch(`${base}/hooks/mail/mailgun`, {
    method: 'POST', body: summaries[0].form,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  check(again.status === 200, 'a Mailgun retry of the same event is answered 200');
  const bad = new URLSearchParams(summaries[0].form);
  bad.set('token', randomBytes(25).toString('hex'));
  const forged = await fetch(`${base}/hooks/mail/mailgun`, { method: 'POST', body: bad });
  check(forged.status === 401, `a bad signature is refused (${forged.status})`);

  step('a late joiner is placed without moving anyone');
  const late = (await api('POST', `${C}/participants`, {
    name: LATE.name, email: LATE.email, role: 'participant', sector: 'public',
    region: 'Northland', time_zone: 'Pacific/Auckland', slots: ['tuesday 19:30'],
  }, { expect: 201 })).json;
  const reb = (await api('POST', `${C}/groups/rebalance`, undefined, { expect: 201 })).json;
  check(reb.moves === 0 && reb.moves_lower_bound === 0, `rebalance: ${reb.moves} moves (lower bound ${reb.moves_lower_bound})`);
  groups = (await api('GET', `${C}/groups`, undefined, { expect: 200 })).json.groups;
  const after = memberOf(groups);
  const movedPeople = [...before].filter(([id, gid]) => after.get(id) !== gid);
  check(movedPeople.length === 0, 'everyone placed before is in the same group', movedPeople);
  check(after.has(late.id), `the late joiner is in group ${groups.find((g) => g.id === after.get(late.id))?.name}`);
  const lateMail = await waitFor('the late joiner\'s invitation', () =>
    readMail(inboxDir).find((m) => m.to.includes(LATE.email)), 15000, 200);
  check(lateMail.method === 'REQUEST', 'the late joiner got a REQUEST');
  uidOf.set(LATE.email, lateMail.uid);
  check(readMail(inboxDir).length === 17, 'and nobody else got mail for it');

  await week(2);

  step('one call is moved and the update reaches everyone in the group');
  const sessions = (await api('GET', `${C}/sessions`, undefined, { expect: 200 })).json.sessions;
  check(sessions.length === 8, `eight sessions (${sessions.length})`);
  const g1now = groups.find((g) => g.position === 1);
  const s3 = sessions.find((s) => s.group_id === g1now.id && s.week === 3);
  check(new Date(s3.starts_at * 1000).toISOString() === CALLS_UTC[2], `group 1's week 3 call is ${s3.start}`);
  // Maildir names do not sort by arrival: remember which were there.
  const mailBefore = new Set(readMail(inboxDir).map((m) => m.file));
  const newMail = () => readMail(inboxDir).filter((m) => !mailBefore.has(m.file));
  const patched = (await api('PATCH', `${C}/sessions/${s3.id}`, { start: MOVED_LOCAL }, { expect: 200 })).json;
  check(patched.moved === true && new Date(patched.starts_at * 1000).toISOString() === MOVED_UTC,
    `moved to ${patched.start} (${MOVED_UTC})`);
  const g1emails = g1now.members.map((m) => m.email.toLowerCase());
  await waitFor(`updated invitations for the ${g1emails.length} members of group 1`, () => {
    const m = newMail();
    return m.length >= g1emails.length ? m : null;
  }, 20000, 200);
  await sleep(1500); // anything more would have come by now
  const extra = newMail();
  check(extra.length === g1emails.length, `exactly ${g1emails.length} updates were sent (${extra.length})`);
  for (const e of g1emails) {
    const u = extra.find((m) => m.to.includes(e));
    if (!u || u.method !== 'REQUEST' || u.uid !== uidOf.get(e) || !(u.sequence >= 1) ||
        !u.ics.includes('RECURRENCE-ID') && !u.ics.includes('20270408T193000')) {
      throw new CheckFailed(`${e} did not get the updated REQUEST (same UID, SEQUENCE up, the moved call): ` +
        (u ? `method ${u.method}, uid ${u.uid} (first ${uidOf.get(e)}), sequence ${u.sequence}` : 'no mail'),
        u ? [u.method, u.uid, uidOf.get(e), u.sequence] : 'no mail');
    }
  }
  ok('every member of group 1 got a REQUEST with the same UID and SEQUENCE up');
  if (g1now.members.some((m) => m.id === reader.id)) {
    instants = expand(await (await fetch(feed.url)).text());
    const want = [CALLS_UTC[0], CALLS_UTC[1], MOVED_UTC, CALLS_UTC[3]].sort();
    check(JSON.stringify(instants) === JSON.stringify(want),
      `the feed now expands with the moved call (RECURRENCE-ID): ${instants.join(', ')}`, { want, got: instants });
  }

  await week(3);
  await week(4);

  step('the week-4 digest holds every summary');
  const digest = await api('GET', `${C}/notes/digest?week=0&format=markdown`, undefined, { expect: 200 });
  const missing = summaries.filter((s) => !digest.text.includes(s.phrase));
  check(missing.length === 0, `the digest (${digest.text.length} bytes) holds all ${summaries.length} summaries`,
    missing.map((s) => s.phrase));
  const d4 = await api('GET', `${C}/notes/digest?week=4&format=markdown`, undefined, { expect: 200 });
  check(summaries.filter((s) => s.week === 4).every((s) => d4.text.includes(s.phrase)),
    "week 4's digest holds both of week 4's summaries");
  writeFileSync(path.join(outDir, 'digest.md'), digest.text);

  await pages({ circle, groups, late, reader, C });

  step(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ---- the pages, in headless Chromium ---------------------------------------

async function pages({ circle, groups, late, C }) {
  step('the pages, in headless Chromium');
  check(existsSync(chromiumPath), `${chromiumPath} exists (Debian's chromium package)`);
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new CheckFailed(`cannot load playwright-core: run 'npm ci --prefix tests/e2e' (${e.message})`);
  }
  for (const route of ['/dashboard/login']) {
    const r = await fetch(base + route);
    check(r.status === 200, `GET ${route} answers 200 (${r.status}): the dashboard is there`);
  }
  const lateGroup = groups.find((g) => g.members.some((m) => m.id === late.id));
  const fac = groups[0].members.find((m) => m.role === 'facilitator');
  const mint = async (pid) => (await api('POST', `${C}/participants/${pid}/page`, undefined, { expect: 201 })).json.url;
  const lateUrl = await mint(late.id);
  const facUrl = await mint(fac.id);
  check(/\/p\/[0-9a-f]{48}$/.test(lateUrl) && /\/p\/[0-9a-f]{48}$/.test(facUrl), 'page URLs minted for a participant and a facilitator');

  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
  // axe-core is injected into each page, which the pages' own CSP (no
  // scripts at all) would refuse: this context lets the test's script in.
  const context = await browser.newContext({ viewport: sizes.desktop, bypassCSP: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });

  async function shoot(name) {
    await audit(name);
    for (const [label, vp] of Object.entries(sizes)) {
      await page.setViewportSize(vp);
      await page.screenshot({ path: path.join(outDir, `${name}-${label}.png`), fullPage: true });
    }
    await page.setViewportSize(sizes.desktop);
    // What a desktop window shows first (README.md's picture is one).
    await page.screenshot({ path: path.join(outDir, `${name}-top.png`) });
    ok(`screenshots out/${name}-desktop.png, out/${name}-phone.png, out/${name}-top.png`);
  }
  // axe-core at desktop and phone widths: no serious or critical
  // violation on any page a person can reach, error pages included.
  const axeSource = readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
  async function audit(name) {
    for (const [label, vp] of Object.entries(sizes)) {
      await page.setViewportSize(vp);
      await page.evaluate(axeSource);
      const found = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
      });
      check(found.length === 0, `${name} at ${label} width: axe-core finds no serious or critical violation`, found.join('\n  '));
    }
    await page.setViewportSize(sizes.desktop);
  }
  async function noScript(where) {
    const pwned = await page.evaluate(() => window.__pwned);
    check(pwned === undefined && problems.length === 0, `${where}: the name's markup did not run`, problems);
  }
  async function text() {
    return page.evaluate(() => document.body.innerText);
  }

  // A participant's page: the late joiner, whose name carries markup.
  let res = await page.goto(lateUrl);
  let body = await text();
  check(res.status() === 200 && body.includes(TITLE), "the late joiner's page shows the circle title");
  check(body.includes(lateGroup.name), `and their group (${lateGroup.name})`);
  check(body.includes(LATE.name), 'and their name, shown as text, markup and all');
  await noScript("the late joiner's page");
  await shoot('participant');

  // A facilitator's page.
  res = await page.goto(facUrl);
  body = await text();
  check(res.status() === 200 && body.includes(TITLE) && body.includes(groups[0].name),
    `the facilitator's page shows the circle and ${groups[0].name}`);
  check(body.includes(fac.name), `and ${fac.name}`);
  await noScript("the facilitator's page");
  await shoot('facilitator');

  // The dashboard: log in with the coordinator token.
  res = await page.goto(`${base}/dashboard/login`);
  check(res.status() === 200, 'the dashboard login form');
  await shoot('dashboard-login');
  const field = page.locator('input[type=password], input[name=token]').first();
  await field.fill(token);
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('form button[type=submit], form input[type=submit], form button').first().click(),
  ]);
  await page.waitForLoadState('load');
  const cookies = await context.cookies();
  check(cookies.length > 0 && cookies.every((c) => c.httpOnly),
    `logged in: a session cookie (${cookies.map((c) => c.name).join(', ')}), HttpOnly`,
    `the page after logging in says: ${(await text()).slice(0, 400)}`);
  check(!(await text()).includes(token.split('_')[2]), 'the page does not show the token back');
  res = await page.goto(`${base}/dashboard`);
  check(res.status() === 200 && (await text()).includes(TITLE), 'the dashboard lists the Atlas circle');
  await shoot('dashboard');

  res = await page.goto(`${base}/dashboard/circles/${circle.id}`);
  body = await text();
  check(res.status() === 200 && body.includes(TITLE), 'the circle page shows the circle title');
  check(groups.every((g) => body.includes(g.name)), `and its groups (${groups.map((g) => g.name).join(', ')})`);
  if (body.includes('Rangi Parata')) check(body.includes(LATE.name), "the late joiner's name is shown as text, markup and all");
  await noScript('the circle page');
  await shoot('dashboard-circle');
  // The groups at a glance: the chart of sizes and sectors.
  await page.locator('#groups').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById('groups').scrollIntoView());
  await page.screenshot({ path: path.join(outDir, 'dashboard-groups-top.png') });
  ok('screenshot out/dashboard-groups-top.png');

  // Error pages are pages too: a mistyped secret, an unknown page.
  for (const [name, url] of [['mistyped-link', lateUrl.slice(0, -3) + 'zzz'],
                             ['unknown-page', `${base}/dashboard/circles/999999`]]) {
    res = await page.goto(url);
    check(res.status() >= 400 && (res.headers()['content-type'] || '').startsWith('text/html'),
      `${name}: an HTML page with status ${res.status()}, not JSON`);
    await audit(name);
  }

  // No credential, no page.
  const anon = await fetch(`${base}/dashboard/circles/${circle.id}`, { redirect: 'manual' });
  check(anon.status === 303 || anon.status === 302 || anon.status === 401 || anon.status === 403,
    `the circle page without a session is refused or redirected (${anon.status})`);
  await browser.close();
  browser = null;
}

try {
  await main();
  process.exitCode = 0;
} catch (e) {
  console.error(`\nFAILED: ${e instanceof CheckFailed ? e.message : e.stack}`);
  const d = children.find((c) => c.spawnargs.includes('serve'));
  if (d) console.error(`--- mingle log (last lines) ---\n${d.log.split('\n').slice(-25).join('\n')}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const c of children) c.stopping = true;
  stopAll();
}
