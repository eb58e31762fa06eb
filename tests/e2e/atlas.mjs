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
// In a second circle, under way (three calls held), people do on their
// pages what they would, by clicking and filling forms: a member answers
// for the next call and changes her answer, finds her calendar links and
// follows links that are not quite right; the facilitator sees who is
// coming, files and edits a call's summary, records and corrects who
// came, and decides her group's review queue. Then the coordinator, on
// the dashboard, back in the Atlas circle (with 40 more people on its
// waitlist, a plenary with a waitlist and three messages waiting for
// review): logs in, finds a person with the search box and pages through
// the people, moves one person, has a second move refused and makes it
// anyway, withdraws a third, previews and applies a rebalance, sends
// invitations and reads the outbox's times in the circle's zone, approves
// one waiting message into a group and week, files one that reached no
// circle (a mistyped address) and rejects the third, reads the digest (and
// weeks the circle does not have), a plenary's registrations and
// waitlist, downloads the three CSVs, and logs out. Every page they land
// on, error pages included, is checked with axe-core at desktop and phone
// widths.
//
// usage: node tests/e2e/atlas.mjs [PATH/TO/mingle]   (or $MINGLE_BIN)
// needs: /usr/bin/python3 with aiosmtpd, /usr/bin/chromium, and
// `npm ci --prefix tests/e2e` (playwright-core). Exits 1 on the first
// failed check, and always stops what it started.

import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const mingle = path.resolve(process.argv[2] || process.env.MINGLE_BIN ||
                            path.join(repo, 'build/mingle'));
const outDir = path.join(here, 'out');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const python = '/usr/bin/python3';

const work = scratchDir('mingle-e2e-');
let browser = null;
let base = '';
let token = '';
let signingKey = '';

import {
  children, started, ctx, scratchDir, step, ok, CheckFailed, check, stopAll, freePort, start, sleep, waitFor, canConnect, api, mailgun, parseHeaders, param, decodeBody, mimeParts, readMail, unfold, vevents, tzOffset, wallToUtc, icalTime, expand,
} from './lib.mjs';

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
  ctx.token = token;
  check(/^mgt_[0-9a-f]+_[0-9a-f]+$/.test(token), 'a coordinator token from an empty database');

  // The daemon.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  signingKey = randomBytes(16).toString('hex');
  Object.assign(ctx, { base, signingKey });
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
      // Mailgun's SPF verdict for the envelope sender, as it posts it
      'X-Mailgun-Spf': 'Pass',
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

  const now = await underWay();
  const desk = await forTheDashboard({ circle, C, groups, late });
  await pages({ circle, groups, late, reader, C, now, desk });

  step(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ---- a circle under way ----------------------------------------------------

// The Atlas circle above has every call ahead of it. What people do on
// their pages once calls are held (no answering a call that is over,
// recording who came, filing a call's summary) needs a circle that began
// 15 days ago in Auckland: weeks 1-3 held (the last yesterday), week 4 in
// six days. One group of seven: a facilitator and six members, one of
// them in Perth (so her page shows her time and the circle's).
const NOW_SLUG = 'atlas-summer';
const NOW_TITLE = `${TITLE}: summer circle`;
const NOW_PEOPLE = [
  ['Mere Tawhiri', 'mere.tawhiri@example.org', 'facilitator', 'public', 'Wellington', 'Pacific/Auckland'],
  ['Priya Nair', 'priya.nair@example.org', 'participant', 'special', 'Perth', 'Australia/Perth'],
  ['Tom O\'Brien', 'tom.obrien@example.org', 'participant', 'academic', 'Otago', 'Pacific/Auckland'],
  ['Kiri Māhanga', 'kiri.mahanga@example.org', 'participant', 'public', 'Waikato', 'Pacific/Auckland'],
  ['Sione Fifita', 'sione.fifita@example.org', 'participant', 'school', 'Auckland', 'Pacific/Auckland'],
  ['Lena Fischer', 'lena.fischer@example.org', 'participant', 'academic', 'Canterbury', 'Pacific/Auckland'],
  ['Wiremu Hohaia', 'wiremu.hohaia@example.org', 'participant', 'school', 'Taranaki', 'Pacific/Auckland'],
];
const GUEST = { name: 'Gail Guest', email: 'gail.guest@example.net' };

// "Tuesday 8 December": how a page names the day of instant `ms` in `tz`.
function dayText(ms, tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, weekday: 'long', day: 'numeric', month: 'long',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.weekday} ${p.day} ${p.month}`;
}

async function underWay() {
  step('a second circle, under way: weeks 1-3 held, week 4 next');
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 1, d - 15));
  const weekday = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][start.getUTCDay()];
  const circle = (await api('POST', '/api/v1/circles', {
    title: NOW_TITLE, slug: NOW_SLUG, time_zone: 'Pacific/Auckland',
    start_date: start.toISOString().slice(0, 10), weeks: 4,
    slots: [{ weekday, start: '19:30', minutes: 60 }],
    group_size: { min: 4, max: 9 },
    video_url: 'https://meet.example.org/atlas-summer',
    organizer: { name: 'Reading circle coordinators', email: 'circles@example.org' },
  }, { expect: 201 })).json;
  const C = `/api/v1/circles/${circle.id}`;
  await api('POST', `${C}/book?name=atlas-outline.md`,
    readFileSync(path.join(repo, 'data/atlas-outline.md')), { type: 'text/markdown', expect: 201 });
  const csv = ['Name,Email,Role,Library sector,Region,Time zone,Availability,Thread wishes',
    ...NOW_PEOPLE.map((p) => [...p, `${weekday} 19:30`, ''].join(','))].join('\n') + '\n';
  await api('POST', `${C}/participants`, csv, { type: 'text/csv', expect: 201 });
  await api('POST', `${C}/groups/plan?seed=1`, undefined, { expect: 201 });
  const groups = (await api('GET', `${C}/groups`, undefined, { expect: 200 })).json.groups;
  check(groups.length === 1 && groups[0].size === 7, `${circle.title}: one group of seven (${groups.map((g) => g.size)})`);
  const group = groups[0];
  const sessions = (await api('GET', `${C}/sessions`, undefined, { expect: 200 })).json.sessions
    .sort((a, b) => a.week - b.week);
  const now = Date.now() / 1000;
  check(sessions.length === 4 && sessions.slice(0, 3).every((s) => s.starts_at < now) && sessions[3].starts_at > now,
    `calls of weeks 1-3 are over, week 4's is ahead (${sessions.map((s) => s.start).join(', ')})`);
  const person = (email) => group.members.find((p) => p.email === email);
  const fac = person('mere.tawhiri@example.org');
  const member = person('priya.nair@example.org');
  const other = person('tom.obrien@example.org');
  const mint = async (pid) => (await api('POST', `${C}/participants/${pid}/page`, undefined, { expect: 201 })).json.url;
  const facUrl = await mint(fac.id);
  const memberUrl = await mint(member.id);
  // Tom's first link is replaced by a second: the first is retired.
  const retiredUrl = await mint(other.id);
  const otherUrl = await mint(other.id);
  check(retiredUrl !== otherUrl, `${other.name}'s page has a new address; the old one is retired`);

  // Week 1's summary came by mail, as the Atlas circle's do.
  const mailed = `Summary-W1: we began with the mission of librarians (${randomBytes(4).toString('hex')})`;
  await mailgun({
    recipient: `${NOW_SLUG}+g1-w1@circles.example.org`, sender: fac.email,
    from: `${fac.name} <${fac.email}>`, subject: 'Week 1 summary',
    'body-plain': `${mailed}\n\nMere\n`,
    'Message-Id': `<now-w1.${randomBytes(6).toString('hex')}@mail.example.org>`,
  });
  // Two messages from someone not in the circle wait for review.
  const review = [
    { subject: 'A reading list for week 3', body: 'Three more books on participatory librarianship, if the group wants them.' },
    { subject: 'Cheap watches', body: 'Buy cheap watches now.' },
  ];
  for (const r of review) {
    await mailgun({
      recipient: `${NOW_SLUG}+g1-w3@circles.example.org`, sender: GUEST.email,
      from: `${GUEST.name} <${GUEST.email}>`, subject: r.subject, 'body-plain': `${r.body}\n`,
      'Message-Id': `<guest.${randomBytes(6).toString('hex')}@mail.example.net>`,
    });
  }
  const waiting = (await api('GET', `${C}/notes?status=review`, undefined, { expect: 200 })).json;
  const wl = waiting.notes || waiting.items || [];
  check(wl.length === 2 && wl.every((n) => n.group_id === group.id),
    `two messages from ${GUEST.email} wait for review in ${group.name} (${wl.length})`, waiting);
  return { circle, C, group, sessions, fac, member, other, facUrl, memberUrl, otherUrl, retiredUrl, mailed, review };
}

// ---- what the coordinator finds on the dashboard ---------------------------

// The Atlas circle as a coordinator finds it on the dashboard: 40 more
// people on its waitlist (57 in all: two pages of people), the last of
// them registered with a name a spreadsheet would run; a plenary with two
// places and four registrations (two on its waitlist); and two messages
// from someone not in the circle and one to a mistyped address, waiting
// for review.
const WAITLISTED = 39;
const FORMULA = { name: '=HYPERLINK("https://example.net/x","Pat Formula")', email: 'pat.formula@example.net' };
const PLENARY = { title: 'An evening with the author', guest: 'R. David Lankes', start: '2027-04-20T19:30' };
const STRANGER = { name: 'Sam Stranger', email: 'sam.stranger@example.net' };

async function forTheDashboard({ circle, C, groups, late }) {
  step('for the dashboard: a waitlist of 40, a plenary with a waitlist, mail waiting for review');
  const pad = (i) => String(i).padStart(2, '0');
  const waiting = [
    ...Array.from({ length: WAITLISTED }, (_, k) => ({
      name: `Waitlisted Reader ${pad(k + 1)}`, email: `reader${pad(k + 1)}@example.net`,
      role: 'participant', sector: ['public', 'academic', 'school', 'special'][k % 4],
      region: 'Auckland', time_zone: 'Pacific/Auckland', slots: ['tuesday 19:30'], status: 'waitlisted',
    })),
    { ...FORMULA, role: 'participant', sector: 'public', region: 'Otago', time_zone: 'Pacific/Auckland',
      slots: ['tuesday 19:30'], status: 'waitlisted' },
  ];
  await api('POST', `${C}/participants`, waiting, { expect: 201 });
  const all = (await api('GET', `${C}/participants?limit=100`, undefined, { expect: 200 })).json.participants;
  check(all.length === 57 && all.filter((p) => p.status === 'waitlisted').length === 40,
    `${circle.title}: 57 people, 40 of them waitlisted (${all.length})`);

  const plenary = (await api('POST', `${C}/plenaries`, {
    title: PLENARY.title, guest: PLENARY.guest, start: PLENARY.start, minutes: 60, capacity: 2,
  }, { expect: 201 })).json;
  // Two facilitators take the places; two participants wait, in order.
  const members = groups.flatMap((g) => g.members);
  const seated = [...members.filter((m) => m.role === 'facilitator'),
    ...members.filter((m) => m.role === 'participant' && m.id !== late.id).slice(-2)];
  const regs = [];
  for (const m of seated) {
    regs.push((await api('POST', `${C}/plenaries/${plenary.id}/registrations`,
      { participant_id: m.id }, { expect: 200 })).json);
  }
  check(regs.map((x) => x.status).join(' ') === 'registered registered waitlisted waitlisted',
    `plenary ${plenary.id} (${PLENARY.title}): 2 places, 2 registered and 2 on its waitlist`, regs);

  const review = [
    { subject: 'Slides from our library\'s workshop', body: 'Our slides on participatory librarianship, for week 3.' },
    { subject: 'Win a free e-reader', body: 'Click here to win a free e-reader today.' },
  ];
  for (const r of review) {
    await mailgun({
      recipient: `${SLUG}+g1-w2@circles.example.org`, sender: STRANGER.email,
      from: `${STRANGER.name} <${STRANGER.email}>`, subject: r.subject, 'body-plain': `${r.body}\n`,
      'Message-Id': `<stranger.${randomBytes(6).toString('hex')}@mail.example.net>`,
    });
  }
  const wl = (await api('GET', `${C}/notes?status=review`, undefined, { expect: 200 })).json;
  const list = wl.notes || wl.items || [];
  check(list.length === 2, `two messages from ${STRANGER.email} wait for review (${list.length})`, wl);
  // A facilitator's notes, sent to a mistyped address: they reach no circle.
  const fac = members.find((m) => m.role === 'facilitator');
  const stray = { subject: 'Notes from our first call', body: 'Our notes from the week 1 call: who is missing from the library?',
    from: fac };
  await mailgun({
    recipient: `${SLUG}s+g1-w1@circles.example.org`, sender: fac.email,
    from: `${fac.name} <${fac.email}>`, subject: stray.subject, 'body-plain': `${stray.body}\n`,
    'Message-Id': `<mistyped.${randomBytes(6).toString('hex')}@mail.example.org>`,
  });
  return { plenary, seated, review, stray };
}

// ---- the pages, in headless Chromium ---------------------------------------

async function pages({ circle, groups, late, C, now, desk }) {
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
          .map((v) => ({ id: v.id, text: `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}` }));
      });
      check(found.length === 0, `${name} at ${label} width: axe-core finds no serious or critical violation`,
        found.map((f) => f.text).join('\n  '));
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
  // The main frame's navigations while `fn` runs: [{method, url, request}].
  async function navigations(fn) {
    const seen = [];
    const onRequest = (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) seen.push(r);
    };
    page.on('request', onRequest);
    try {
      await fn();
    } finally {
      page.off('request', onRequest);
    }
    return seen;
  }
  // Press a form's button as a person would. Post/redirect/get: the POST
  // to <page>/<what> is answered 303, and the browser lands on the page
  // itself (its own address) with `query` saying what happened.
  async function submit(button, what, query) {
    const pagePath = new URL(page.url()).pathname;
    const seen = await navigations(async () => {
      const landed = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
      await button.click();
      await landed;
      await page.waitForLoadState('load');
    });
    const post = seen.find((r) => r.method() === 'POST');
    check(post && new URL(post.url()).pathname === `${pagePath}/${what}`,
      `the form posts to ${what}`, seen.map((r) => `${r.method()} ${r.url()}`));
    const answer = await post.response();
    const at = new URL(page.url());
    check(answer && answer.status() === 303 && at.pathname === pagePath && at.search.includes(query),
      `answered ${answer && answer.status()}: back on the page with ?${query}`, page.url());
    await audit(`the page after ${what} (?${query})`);
  }
  // Follow a link on the page to `wanted` (a test on the new address).
  async function follow(link, wanted, name) {
    await link.click();
    await page.waitForURL(wanted);
    await page.waitForLoadState('load');
    await audit(name);
  }
  // Reloading the page a form landed on sends nothing again: a GET only.
  async function reloadSendsNothing() {
    let res;
    const seen = await navigations(async () => { res = await page.reload(); });
    check(res.status() === 200 && seen.length >= 1 && seen.every((r) => r.method() === 'GET'),
      `reloading asks again with ${seen.map((r) => r.method()).join(', ')} only: nothing is sent twice`);
  }
  async function notice(want) {
    const got = (await page.getByRole('status').innerText()).trim();
    check(got === want, `the page says "${want}"`, got);
  }
  // A page's <section> by its heading.
  const section = (heading) => page.locator('section').filter({
    has: page.getByRole('heading', { name: heading, exact: true, level: 2 }),
  });
  // The cells of the row of a table whose first cell is `name`.
  async function rowOf(scope, name) {
    const row = scope.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
    check(await row.count() === 1, `a row for ${name}`);
    return (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim());
  }
  async function goto(url, what) {
    const res = await page.goto(url);
    check(res.status() === 200, `${what}: 200 (${res.status()})`);
    await audit(what);
    return res;
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

  // ---- a participant, in the circle under way ------------------------------
  const [w1, w2, w3, w4] = now.sessions;
  const P = now.member;
  const pTz = 'Australia/Perth';
  step(`${P.name} answers for the next call on her page (in ${pTz})`);
  await goto(now.memberUrl, `${P.name}'s page`);
  body = await text();
  check(body.includes(NOW_TITLE) && body.includes(P.name) && body.includes(now.group.name),
    `it shows ${NOW_TITLE}, her name and ${now.group.name}`);
  check(body.includes('Circle time:') && body.includes(pTz),
    `the calls are in her time (${pTz}) and the circle's`);
  const calls = section('All calls and readings');
  for (const s of [w1, w2, w3]) {
    const row = calls.getByRole('row').filter({ has: page.getByRole('rowheader', { name: String(s.week), exact: true }) });
    check(await page.getByRole('button', { name: `week ${s.week}'s call` }).count() === 0 &&
      (await row.innerText()).includes('(held)'), `week ${s.week}'s call is marked held and has no answer buttons`);
  }
  await page.setViewportSize(sizes.phone);
  const wide = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(wide[0] <= wide[1], `on a phone her page does not scroll sideways (${wide[0]}px in ${wide[1]}px)`);
  await page.setViewportSize(sizes.desktop);
  const day4 = dayText(w4.starts_at * 1000, pTz);
  const accept4 = page.getByRole('button', { name: `Accept week 4's call, ${day4}`, exact: true });
  check(await accept4.count() === 1, `week 4's buttons name the call: "Accept week 4's call, ${day4}"`);
  await shoot('participant-under-way');

  await submit(accept4, 'rsvp', `done=rsvp&session=${w4.id}`);
  await notice(`Saved: you are coming on ${day4}.`);
  check(await accept4.getAttribute('aria-pressed') === 'true', 'the Accept button shows as pressed');
  await reloadSendsNothing();
  await notice(`Saved: you are coming on ${day4}.`);

  const maybe4 = page.getByRole('button', { name: `Maybe week 4's call, ${day4}`, exact: true });
  await submit(maybe4, 'rsvp', `done=rsvp&session=${w4.id}`);
  await notice(`Saved: you might come on ${day4}.`);
  check(await maybe4.getAttribute('aria-pressed') === 'true' && await accept4.getAttribute('aria-pressed') === null,
    'she changed her answer: Maybe is pressed, Accept no longer');
  const row4 = calls.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '4', exact: true }) });
  check((await row4.innerText()).includes('maybe'), "week 4's row says maybe");
  const rsvps = (await api('GET', `${now.C}/sessions/${w4.id}/rsvps`, undefined, { expect: 200 })).json;
  check(JSON.stringify(rsvps).includes('tentative') && !JSON.stringify(rsvps).includes('accepted'),
    'the circle has her answer for week 4 as tentative, once', rsvps);

  step('her calendar links');
  const hrefOf = async (name) => {
    const link = page.getByRole('link', { name, exact: true });
    check(await link.count() === 1, `a "${name}" link`);
    return link.getAttribute('href');
  };
  const webcal = await hrefOf('Subscribe (Apple, Outlook, Thunderbird)');
  const download = await hrefOf('Download .ics file');
  check(/^webcal:\/\/127\.0\.0\.1:\d+\/cal\/[0-9a-f]+\.ics$/.test(webcal) && download === webcal.replace(/^webcal:/, 'http:'),
    `webcal ${webcal} and its download twin`);
  const google = new URL(await hrefOf('Add to Google Calendar'));
  check(google.origin + google.pathname === 'https://calendar.google.com/calendar/r' && google.searchParams.get('cid') === webcal,
    'Google Calendar: calendar/r?cid= the webcal address');
  for (const [name, origin] of [['Add to Outlook.com', 'https://outlook.live.com'],
                                ['Add to Microsoft 365 (work or school)', 'https://outlook.office.com']]) {
    const raw = await hrefOf(name);
    const u = new URL(raw);
    check(u.origin === origin && u.pathname === '/calendar/0/addfromweb' &&
      u.searchParams.get('url') === webcal && u.searchParams.get('name') === NOW_TITLE &&
      raw.includes('?url=webcal%3A%2F%2F'),
    `${name}: ${origin}/calendar/0/addfromweb with the webcal address and the circle's name, encoded`);
  }
  const feedRes = await fetch(download);
  const feedText = await feedRes.text();
  const feedCalls = expand(feedText);
  check(feedRes.status === 200 && JSON.stringify(feedCalls) ===
    JSON.stringify(now.sessions.map((s) => new Date(s.starts_at * 1000).toISOString())),
  'the subscribed feed has her four calls');

  step('links that are not quite right');
  const memberPath = new URL(now.memberUrl).pathname;
  const lastHex = now.memberUrl.slice(-1);
  const errorPages = [
    ['mistyped', now.memberUrl.slice(0, -1) + (lastHex === '0' ? '1' : '0'), 404, 'Page not found'],
    ['truncated', now.memberUrl.slice(0, -6), 404, 'This link is not complete'],
    ['retired', now.retiredUrl, 410, 'This link has been replaced'],
  ];
  for (const [name, url, status, heading] of errorPages) {
    res = await page.goto(url);
    check(res.status() === status && (res.headers()['content-type'] || '').startsWith('text/html') &&
      await page.getByRole('heading', { name: heading, level: 1 }).count() === 1,
    `a ${name} link: an HTML page "${heading}" (${res.status()})`);
    await audit(`${name}-link`);
  }
  check((await text()).includes("Please ask your circle's coordinator for a new link"),
    'the retired link says to ask the coordinator for a new one');
  for (const [name, suffix] of [['trailing dot', '.'], ['trailing slash', '/']]) {
    res = await page.goto(now.memberUrl + suffix);
    const from = res.request().redirectedFrom();
    check(res.status() === 200 && page.url() === now.memberUrl && from && new URL(from.url()).pathname === memberPath + suffix,
      `a link with a ${name} is redirected to the page itself (${page.url().slice(-12)})`);
    await audit(`the page after a link with a ${name}`);
  }

  // The replaced link's owner has a new one, and says he is coming.
  const O = now.other;
  await goto(now.otherUrl, `${O.name}'s new link`);
  const oDay4 = dayText(w4.starts_at * 1000, 'Pacific/Auckland');
  await submit(page.getByRole('button', { name: `Accept week 4's call, ${oDay4}`, exact: true }), 'rsvp', 'done=rsvp');
  await notice(`Saved: you are coming on ${oDay4}.`);

  // ---- the facilitator, in the circle under way ----------------------------
  const F = now.fac;
  const fTz = 'Pacific/Auckland';
  step(`${F.name}, the facilitator: who is coming to the next call`);
  await goto(now.facUrl, `${F.name}'s page`);
  body = await text();
  check(body.includes(`Hello ${F.name}. This is your page as your group's facilitator.`), 'her page greets her as the facilitator');
  await shoot('facilitator-under-way');
  const coming = section('Who is coming to the next call');
  check((await coming.innerText()).includes(`Week 4, ${dayText(w4.starts_at * 1000, fTz)}.`), 'it names week 4 and its day');
  check((await rowOf(coming, P.name))[1] === 'maybe', `${P.name}: maybe`);
  check((await rowOf(coming, O.name))[1] === 'coming', `${O.name}: coming`);
  check((await rowOf(coming, 'Kiri Māhanga'))[1] === 'not answered', 'Kiri Māhanga: not answered');
  check((await coming.innerText()).includes('1 coming, 1 maybe, 0 not coming, 5 not answered.'), 'and the counts');

  step("on a phone, the members' table scrolls in its box, not the page");
  await page.setViewportSize(sizes.phone);
  const box = page.getByRole('region', { name: "Your group's members and who came" }).and(page.locator('.scroll'));
  const fit = await box.evaluate((el) => ({
    box: el.clientWidth, table: el.scrollWidth,
    page: document.documentElement.scrollWidth, window: window.innerWidth,
  }));
  check(fit.table > fit.box, `the members table (${fit.table}px) is wider than its box (${fit.box}px)`);
  check(fit.page <= fit.window, `the page itself does not scroll sideways (${fit.page}px in ${fit.window}px)`);
  check(await page.getByText('Swipe or scroll the table sideways').first().isVisible(), 'a line says the table scrolls sideways');
  await box.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const left = await waitFor('the box to scroll', () => box.evaluate((el) => el.scrollLeft), 3000);
  check(left > 0, `the keyboard scrolls the box sideways (${left}px)`);
  await page.screenshot({ path: path.join(outDir, 'facilitator-phone-table.png') });
  await page.setViewportSize(sizes.desktop);
  check(!(await page.getByText('Swipe or scroll the table sideways').first().isVisible()), 'on a desktop the line is hidden');

  step('she files the summary of the last call from her page, then edits it');
  const summaryForm = page.getByRole('group', { name: 'Or write the summary here' });
  check(await summaryForm.getByLabel('Week').inputValue() === '3', 'the form offers week 3, the last call held');
  const tag = randomBytes(4).toString('hex');
  const filed = `We read about communities of <em>participation</em> (${tag}).`;
  await summaryForm.getByLabel('Week').selectOption({ label: 'Week 3' });
  await summaryForm.getByLabel('Title (optional)').fill('Communities and conversation');
  await summaryForm.getByLabel('Summary').fill(filed);
  await submit(summaryForm.getByRole('button', { name: 'File the summary' }), 'summary', 'done=summary&week=3');
  await notice('Saved: your summary of week 3 is filed under your group.');
  await reloadSendsNothing();
  const summariesOf = async (week) => {
    const j = (await api('GET', `${now.C}/notes?week=${week}&kind=summary`, undefined, { expect: 200 })).json;
    return j.notes || j.items || [];
  };
  check((await summariesOf(3)).length === 1, 'one summary of week 3 is filed');
  const summaries = section('Summaries');
  const mine = summaries.getByRole('article').filter({
    has: page.getByRole('heading', { name: 'Week 3: Communities and conversation' }),
  });
  check(await mine.count() === 1 && (await mine.innerText()).includes(filed),
    'it is on her page under Summaries, its markup shown as text');
  check(await summaries.getByRole('heading', { name: 'Week 1: Week 1 summary' }).count() === 1,
    "beside week 1's, which came by mail");
  let digest = (await api('GET', `${now.C}/notes/digest?week=3&format=markdown`, undefined, { expect: 200 })).text;
  check(digest.includes(tag) && digest.includes('Communities and conversation'), "and in week 3's digest");
  await noScript("the facilitator's page");

  await mine.getByText('Edit this summary').click();
  const edited = `We read about communities of participation, and who is missing from them (${tag}, edited).`;
  await mine.getByLabel('Summary').fill(edited);
  await submit(mine.getByRole('button', { name: 'Save the changes' }), 'summary', 'done=summary-edited&week=3');
  await notice('Saved: your summary of week 3 is changed.');
  await reloadSendsNothing();
  check((await mine.innerText()).includes(edited) && !(await text()).includes(filed), 'the page shows the new text only');
  digest = (await api('GET', `${now.C}/notes/digest?week=3&format=markdown`, undefined, { expect: 200 })).text;
  check(digest.includes(edited) && !digest.includes(filed), 'and so does the digest, without the first text');
  check((await summariesOf(3)).length === 1, 'still one summary of week 3');

  step('she records who came to the last call, then corrects an earlier one');
  const day = (s) => dayText(s.starts_at * 1000, fTz);
  const whoCame = (s) => page.getByRole('group', { name: `Who came to week ${s.week}'s call (${day(s)})?`, exact: true });
  check(await whoCame(w3).count() === 1, "the form is for week 3's call, the latest held");
  for (const name of [F.name, P.name, O.name]) await whoCame(w3).getByRole('checkbox', { name }).check();
  await submit(whoCame(w3).getByRole('button', { name: 'Save attendance' }), 'attendance', `done=attendance&session=${w3.id}`);
  await notice(`Saved: attendance for week 3's call (${day(w3)}): 3 came, 4 did not.`);
  await reloadSendsNothing();

  await follow(page.getByRole('link', { name: 'week 1', exact: true }),
    (u) => u.searchParams.get('attend') === String(w1.id), "week 1's attendance form");
  check(await whoCame(w1).count() === 1, "the link opens week 1's form");
  for (const m of now.group.members.filter((x) => x.id !== O.id)) {
    await whoCame(w1).getByRole('checkbox', { name: m.name, exact: true }).check();
  }
  await submit(whoCame(w1).getByRole('button', { name: 'Save attendance' }), 'attendance', `done=attendance&session=${w1.id}`);
  await notice(`Saved: attendance for week 1's call (${day(w1)}): 6 came, 1 did not.`);
  // Kiri did not come after all.
  await follow(page.getByRole('link', { name: 'week 1', exact: true }),
    (u) => u.searchParams.get('attend') === String(w1.id), "week 1's attendance form");
  check(await whoCame(w1).getByRole('checkbox', { name: 'Kiri Māhanga' }).isChecked(), 'the form shows what was saved');
  await whoCame(w1).getByRole('checkbox', { name: 'Kiri Māhanga' }).uncheck();
  await submit(whoCame(w1).getByRole('button', { name: 'Save attendance' }), 'attendance', `done=attendance&session=${w1.id}`);
  await notice(`Saved: attendance for week 1's call (${day(w1)}): 5 came, 2 did not.`);
  const members = section("Your group's members");
  const tomCols = (await rowOf(members, O.name)).slice(-4).join(' ');
  const kiriCols = (await rowOf(members, 'Kiri Māhanga')).slice(-4).join(' ');
  check(tomCols === 'no - yes -' && kiriCols === 'no - no -',
    `the members table: ${O.name} W1-W4 ${tomCols}, Kiri Māhanga ${kiriCols}`);
  const att1 = (await api('GET', `${now.C}/sessions/${w1.id}/attendance`, undefined, { expect: 200 })).json.attendance;
  check(att1.length === 7 && att1.filter((a) => a.present).length === 5 && att1.every((a) => a.source === 'facilitator'),
    "week 1's attendance is recorded from the facilitator: 5 of 7", att1);

  step('nobody ticked: the page asks before marking everyone absent');
  await follow(page.getByRole('link', { name: 'week 2', exact: true }),
    (u) => u.searchParams.get('attend') === String(w2.id), "week 2's attendance form");
  await submit(whoCame(w2).getByRole('button', { name: 'Save attendance' }), 'attendance', `confirm=absent&session=${w2.id}`);
  const alert = page.getByRole('alert');
  check((await alert.innerText()).includes(`Nobody is ticked for week 2's call (${day(w2)}). Record that nobody came?`),
    'it asks: record that nobody came?');
  await follow(page.getByRole('link', { name: 'No, go back to the list' }),
    (u) => u.searchParams.get('attend') === String(w2.id), 'back to the list');
  check(await whoCame(w2).count() === 1 &&
    (await api('GET', `${now.C}/sessions/${w2.id}/attendance`, undefined, { expect: 200 })).json.attendance.length === 0,
  'going back shows the list again, with nothing saved');
  await submit(whoCame(w2).getByRole('button', { name: 'Save attendance' }), 'attendance', `confirm=absent&session=${w2.id}`);
  await submit(page.getByRole('button', { name: 'Yes, mark everyone absent' }), 'attendance', `done=attendance&session=${w2.id}`);
  await notice(`Saved: attendance for week 2's call (${day(w2)}): 0 came, 7 did not.`);
  await reloadSendsNothing();

  step("she decides what waits in her group's review queue");
  const queue = section('Waiting for review');
  const [good, spam] = now.review;
  const goodNote = queue.getByRole('article').filter({ hasText: good.subject });
  check(await queue.getByRole('article').count() === 2 &&
    (await goodNote.innerText()).includes('Waiting because: the sender is not in this circle'),
  `two messages wait, each saying why (from ${GUEST.email}, not in the circle)`);
  await submit(goodNote.getByRole('button', { name: /^Approve/ }), 'review', 'done=approved');
  await notice('Saved: the note is published.');
  await reloadSendsNothing();
  check(await section("Members' notes").getByRole('article').filter({ hasText: good.subject }).count() === 1,
    `"${good.subject}" is now among the members' notes`);
  await submit(queue.getByRole('article').filter({ hasText: spam.subject }).getByRole('button', { name: /^Reject/ }),
    'review', 'done=rejected');
  await notice('Saved: the note is rejected.');
  check((await queue.innerText()).includes('Nothing waits for review.') && !(await text()).includes(spam.body),
    'nothing waits any more, and the rejected message is nowhere on the page');
  await noScript("the facilitator's page");

  // What the facilitator filed reaches her group.
  await goto(now.memberUrl, `${P.name}'s page again`);
  check((await section('Summaries').innerText()).includes(edited), `${P.name} reads the week 3 summary on her page`);

  step("the circle's survey, opened now: answered from her page, then changed");
  const nzNow = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Pacific/Auckland', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date()).replace(' ', 'T');
  await api('PUT', `${now.C}/survey`, { opens_at: nzNow }, { expect: 200 });
  await goto(now.memberUrl, `${P.name}'s page with the survey open`);
  await follow(section('Survey').getByRole('link', { name: 'Answer the survey' }),
    (u) => u.pathname.startsWith('/s/'), 'the survey page');
  await shoot('survey');
  check((await text()).includes('This survey is anonymous.'), 'the survey page says plainly that it is anonymous');
  const surveyPath = new URL(page.url()).pathname;
  const answerWith = async (button, saved) => {
    const seen = await navigations(async () => {
      const landed = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
      await button.click();
      await landed;
      await page.waitForLoadState('load');
    });
    const post = seen.find((r) => r.method() === 'POST');
    const answer = post && await post.response();
    const at = new URL(page.url());
    check(post && new URL(post.url()).pathname === surveyPath && answer.status() === (saved ? 303 : 422) &&
      at.pathname === surveyPath && (!saved || at.search === '?saved=1'),
    `the survey form posts to its own address: ${answer && answer.status()}`, page.url());
    await audit(`the survey page after an answer (${saved ? 'saved' : 'refused'})`);
  };
  const question = (name) => page.getByRole('group', { name });
  // (a required question left out is the browser's to point out first;
  // the server's own check, beside the question, is test_survey.c's)
  await question(/How useful was the circle/).getByRole('radio', { name: '4', exact: true }).check();
  await question(/How well did your facilitator/).getByRole('radio', { name: '5: very much' }).check();
  await question(/pace of the readings/).getByRole('radio', { name: 'About right' }).check();
  await page.getByLabel('What would you change for the next circle?').fill('A longer week 4.');
  await answerWith(page.getByRole('button', { name: 'Send my answers' }), true);
  check((await page.getByRole('status').innerText()).includes('your answers are saved'), 'the page says the answers are saved');
  await reloadSendsNothing();
  check(await question(/How useful was the circle/).getByRole('radio', { name: '4', exact: true }).isChecked(),
    'her answers are shown back to her');
  await question(/How useful was the circle/).getByRole('radio', { name: '5: very much' }).check();
  await answerWith(page.getByRole('button', { name: 'Save my changes' }), true);
  const sv = (await api('GET', `${now.C}/survey`, undefined, { expect: 200 })).json;
  const useful = sv.results.questions.find((q) => q.id === 'useful');
  check(sv.results.responses === 1 && useful.counts[4].count === 1 && useful.counts[3].count === 0,
    'one response, changed: useful 5, not 4', sv.results);
  const edit = (await context.cookies()).filter((c) => c.name === 'mg_survey');
  check(edit.length === 1 && edit[0].httpOnly && edit[0].sameSite === 'Strict' &&
    surveyPath.startsWith(edit[0].path) && edit[0].path.startsWith('/s/'),
  `the anonymous answer's edit token is a cookie for her link only (${edit.map((c) => c.path)})`);
  await context.clearCookies(); // the dashboard's steps begin with none

  // ---- the coordinator, on the dashboard -------------------------------------
  const D = `/dashboard/circles/${circle.id}`;
  // A dashboard form, pressed: the POST to `post` is answered 303 and the
  // browser lands on `to` with `query` in its address, a page saying what
  // happened; it is audited there.
  async function send(button, post, to, query) {
    const seen = await navigations(async () => {
      const landed = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
      await button.click();
      await landed;
      await page.waitForLoadState('load');
    });
    const req = seen.find((r) => r.method() === 'POST');
    check(req && new URL(req.url()).pathname === post,
      `the form posts to ${post}`, seen.map((r) => `${r.method()} ${r.url()}`));
    const answer = await req.response();
    const at = new URL(page.url());
    check(answer && answer.status() === 303 && at.pathname === to && at.search.includes(query),
      `answered ${answer && answer.status()}: on ${to}${query ? `?${query}` : ''}`, page.url());
    await audit(`${to}${query ? `?${query}` : ''}`);
  }
  async function alertSays(want) {
    const got = (await page.getByRole('alert').innerText()).trim();
    check(got.includes(want), `the page warns "${want}"`, got);
  }
  const rowWith = (scope, has) => scope.getByRole('row').filter({ hasText: has });
  const people = section('People');
  const pagerOf = (scope) => scope.getByRole('navigation', { name: 'Pages' });

  step('the coordinator logs in to the dashboard');
  await goto(`${base}/dashboard/login`, 'the dashboard login form');
  await shoot('dashboard-login');
  const tokenField = page.getByLabel('Coordinator API token');
  const logIn = page.getByRole('button', { name: 'Log in' });
  // One character wrong: the form again, saying so.
  await tokenField.fill(token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'));
  res = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), logIn.click()])
    .then(([r]) => r);
  await page.waitForLoadState('load');
  check(res.status() === 403 && new URL(page.url()).pathname === '/dashboard/login',
    `a mistyped token is refused with the login form again (${res.status()})`);
  await alertSays('That is not a live API token. Check you pasted all of it.');
  await audit('the login form, refused');
  check((await context.cookies()).length === 0, 'and no session cookie');
  await tokenField.fill(token);
  await send(logIn, '/dashboard/login', '/dashboard', '');
  const cookies = await context.cookies();
  check(cookies.length === 1 && cookies[0].httpOnly && cookies[0].sameSite === 'Strict',
    `logged in: a session cookie (${cookies.map((c) => c.name).join(', ')}), HttpOnly, SameSite=Strict`);
  check(!(await text()).includes(token.split('_')[2]), 'the page does not show the token back');
  check(await page.getByRole('heading', { name: 'Circles', level: 1 }).count() === 1 &&
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('button', { name: 'Log out' }).count() === 1,
  'she is on the circles page, logged in: it offers to log out');
  await reloadSendsNothing();

  step('the circles, and the Atlas circle at a glance');
  const atlasRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: TITLE, exact: true }) });
  const atlasCells = (await atlasRow.getByRole('cell').allInnerTexts()).map((t) => t.trim()).join(' ');
  check(/^2027-03-23 4 17 40 2 kept until \d{4}-\d\d-\d\d \(365 days after the last call\)$/.test(atlasCells),
    `the circles table: ${TITLE}: starts, weeks, active, waitlisted, groups, when its personal data goes (${atlasCells})`);
  check(await page.getByRole('rowheader', { name: NOW_TITLE, exact: true }).count() === 1, `and ${NOW_TITLE}`);
  check((await text()).includes('3 messages wait for review (every circle, and mail that reached none)'),
    'three messages wait for review: two in the Atlas circle, one that reached no circle');
  await shoot('dashboard');
  await follow(page.getByRole('link', { name: TITLE, exact: true }), (u) => u.pathname === D, 'the circle page');
  body = await text();
  check(body.includes('17 active people, 40 waitlisted, 2 groups.'), 'the circle page: 17 active people, 40 waitlisted, 2 groups');
  check(groups.every((g) => body.includes(g.name)), `and its groups (${groups.map((g) => g.name).join(', ')})`);
  check(body.includes(LATE.name), "the late joiner's name is shown as text, markup and all");
  await noScript('the circle page');
  await shoot('dashboard-circle');
  await page.evaluate(() => document.getElementById('groups').scrollIntoView());
  await page.screenshot({ path: path.join(outDir, 'dashboard-groups-top.png') });
  ok('screenshot out/dashboard-groups-top.png');

  step('she finds a person with the search box, and pages through the people');
  await people.getByRole('searchbox', { name: 'Name or email' }).fill(LATE.email);
  await follow(people.getByRole('button', { name: 'Search' }),
    (u) => u.pathname === D && u.searchParams.get('q') === LATE.email, 'the search results');
  check((await people.innerText()).includes(`1 person matching “${LATE.email}”.`), `1 person matching “${LATE.email}”`);
  check(await people.getByRole('rowheader').count() === 1 &&
    (await rowWith(people, LATE.email).innerText()).includes(LATE.name), 'the one row is the late joiner, named as text');
  await noScript('the search results');
  await follow(people.getByRole('link', { name: 'Everyone', exact: true }),
    (u) => u.pathname === D && !u.search, 'everyone again');
  check((await people.innerText()).includes('57 people in the circle, active, waitlisted and withdrawn.') &&
    (await pagerOf(people).innerText()).includes('Page 1 of 2'), '57 people, page 1 of 2');
  check(await people.getByRole('rowheader').count() === 50, 'fifty people on the first page');
  await follow(pagerOf(people).getByRole('link', { name: 'Next' }),
    (u) => u.searchParams.get('page') === '2', 'the second page of people');
  const page2 = await people.innerText();
  check((await pagerOf(people).innerText()).includes('Page 2 of 2') && await people.getByRole('rowheader').count() === 7,
    'page 2 of 2: the other seven');
  check(page2.includes(FORMULA.name) && page2.includes('Waitlisted Reader 39') && !page2.includes('Aroha Ngata'),
    'the last of the waitlist are there (the formula name as text), the first people are not');
  check(await rowWith(people, FORMULA.email).getByRole('link', { name: /^Move/ }).count() === 0,
    'a waitlisted person has no Move link');
  await follow(pagerOf(people).getByRole('link', { name: 'Previous' }),
    (u) => u.searchParams.get('page') === '1', 'back to the first page');

  // Groups as they stand: one of nine, one of eight.
  const big = groups.find((g) => g.size === 9);
  const small = groups.find((g) => g.size === 8);
  check(big && small, `${big?.name} has 9 people, ${small?.name} 8`);
  const seatedIds = new Set(desk.seated.map((m) => m.id));
  const movable = big.members.filter((m) => m.role === 'participant' && m.id !== late.id && !seatedIds.has(m.id));
  const [mover, refused, leaver] = movable;
  const moveLink = (p) => people.getByRole('link', { name: `Move ${p.name}`, exact: true });
  const movePath = (p) => `${D}/people/${p.id}/move`;

  step(`she moves ${mover.name} from ${big.name} to ${small.name} on his own page`);
  await follow(moveLink(mover), (u) => u.pathname === movePath(mover), `${mover.name}'s move page`);
  check(await page.getByRole('heading', { name: `Move ${mover.name}`, level: 1 }).count() === 1 &&
    (await text()).includes(`${mover.name} (${mover.email}) is in ${big.name}.`), `it says ${mover.name} is in ${big.name}`);
  await shoot('dashboard-move');
  const to = page.getByLabel(`Move ${mover.name} to`);
  await to.selectOption({ label: small.name });
  await send(page.locator('form').filter({ has: to }).getByRole('button', { name: 'Move' }),
    `${D}/move`, D, `done=moved&person=${mover.id}&group=${small.id}`);
  await notice(`Moved ${mover.name} to ${small.name}.`);
  await reloadSendsNothing();
  // The redirect's group= also filters the people list: it shows the group
  // he moved into.
  check((await people.innerText()).includes(`9 people in ${small.name}.`) &&
    (await rowWith(people, mover.email).innerText()).includes(small.name),
  `the people list shows ${small.name}'s 9 members, ${mover.name} among them`);
  await follow(people.getByRole('link', { name: 'Everyone', exact: true }),
    (u) => u.pathname === D && !u.search, 'everyone again');

  step(`${small.name} is full: moving ${refused.name} there is refused, then made anyway`);
  await follow(moveLink(refused), (u) => u.pathname === movePath(refused), `${refused.name}'s move page`);
  const number = page.getByLabel("Or the group's number");
  await number.fill(String(small.position));
  await send(page.locator('form').filter({ has: number }).getByRole('button', { name: 'Move' }),
    `${D}/move`, movePath(refused), `refused=${small.id}`);
  await alertSays(`${refused.name} was not moved to ${small.name}: the move breaks these rules.`);
  await alertSays(`group ${small.position} would have 10 people, more than the maximum of 9`);
  await reloadSendsNothing();
  await send(page.getByRole('alert').getByRole('button', { name: 'Move anyway' }),
    `${D}/move`, D, `done=moved&person=${refused.id}&group=${small.id}`);
  await notice(`Moved ${refused.name} to ${small.name}.`);
  await reloadSendsNothing();
  check((await people.innerText()).includes(`10 people in ${small.name}.`), `${small.name} has 10 people`);
  await follow(people.getByRole('link', { name: 'Everyone', exact: true }),
    (u) => u.pathname === D && !u.search, 'everyone again');
  check((await section('Groups').innerText()).includes(`${small.name} has 10 people, above the maximum of 9.`),
    `the groups warn: ${small.name} has 10 people, above the maximum of 9`);

  step(`she withdraws ${leaver.name}`);
  const leaverRow = rowWith(people, leaver.email);
  await send(leaverRow.getByRole('button', { name: 'Withdraw' }),
    `${D}/people/${leaver.id}/withdraw`, D, `done=withdrawn&person=${leaver.id}`);
  await notice(`Withdrew ${leaver.name}: they are out of their group and get no more invitations.`);
  await reloadSendsNothing();
  check((await leaverRow.innerText()).includes('withdrawn') && await leaverRow.getByRole('button').count() === 0 &&
    await leaverRow.getByRole('link').count() === 0, 'the row says withdrawn, with nothing left to press');
  check((await text()).includes('16 active people, 40 waitlisted, 2 groups.'), '16 active people now');

  step(`${big.name} has 6, ${small.name} 10: she previews a rebalance, then applies it`);
  await follow(section('Groups').getByRole('link', { name: 'Preview rebalance' }),
    (u) => u.pathname === `${D}/rebalance`, 'the rebalance preview');
  await notice('A preview: nothing has been changed. Apply it with the button below.');
  const proposed = page.getByRole('list').filter({ hasText: '→' }).getByRole('listitem');
  const moves = await proposed.count();
  // 6 and 10 people become 8 and 8: two moves, and no plan can do with fewer
  const movesText = `${moves} move${moves === 1 ? '' : 's'}, the fewest possible.`;
  check(moves === 2 && (await proposed.allInnerTexts()).every((t) => t.includes(`${small.name} → ${big.name}`)) &&
    (await text()).includes(movesText), `it proposes ${moves} move(s), each from ${small.name} to ${big.name}`,
  await proposed.allInnerTexts());
  await shoot('dashboard-rebalance');
  await send(page.getByRole('button', { name: 'Apply these moves' }), `${D}/rebalance`, D, `done=rebalanced&moves=${moves}`);
  await notice(`Rebalanced the groups: moved ${moves} ${moves === 1 ? 'person' : 'people'}; their invitations are queued.`);
  await reloadSendsNothing();
  check(!(await section('Groups').innerText()).includes('above the maximum'), 'no group is above the maximum any more');

  step('she sends the invitations; the outbox names the circle\'s zone');
  const outbox = section('Invitations and outbox');
  await send(outbox.getByRole('button', { name: 'Send invites' }), `${D}/invites`, D, 'done=invites&queued=');
  await notice("Every member's invitations are up to date: nothing new to send.");
  await reloadSendsNothing();
  check(await outbox.getByRole('columnheader', { name: 'Queued (Pacific/Auckland)' }).count() === 1,
    'the outbox table heads its times "Queued (Pacific/Auckland)"');
  const queued = (await outbox.getByRole('row').allInnerTexts()).slice(1).map((t) => t.split('\t')[0].trim());
  const inZone = queued.map((q) => {
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(q);
    return m ? wallToUtc(+m[1], +m[2], +m[3], +m[4], +m[5], 'Pacific/Auckland') : NaN;
  });
  check(queued.length === 20 && inZone.every((t) => t >= started - 60000 && t <= Date.now() + 60000),
    `its ${queued.length} times, read as Auckland time, all fall within this run (${queued[0]} ... ${queued.at(-1)})`, queued);

  step('the review queue: she approves one message into a group and week, files one that reached no circle, rejects another');
  const notesSection = section('Notes');
  check((await notesSection.innerText()).includes('2 messages of this circle wait for review'), 'the notes section: 2 messages wait');
  await follow(notesSection.getByRole('link', { name: 'open the review queue' }),
    (u) => u.pathname === `${D}/review`, "the circle's review queue");
  await shoot('dashboard-review');
  const [keep, junk] = desk.review;
  const g1 = groups.find((g) => g.position === 1);
  const g2 = groups.find((g) => g.position === 2);
  const articleOf = (subject) => page.getByRole('article').filter({ hasText: subject });
  const noteId = async (subject) => Number(/^#(\d+):/.exec(await articleOf(subject).getByRole('heading').innerText())[1]);
  check(await page.getByRole('article').count() === 2, 'two messages wait');
  const keepText = await articleOf(keep.subject).innerText();
  check(keepText.includes(STRANGER.email) && keepText.includes('the sender is not in this circle') &&
    keepText.includes(g1.name) && keepText.includes('(Pacific/Auckland)') && keepText.includes(keep.body),
  `each says who sent it, why it waits, where it was filed (${g1.name}) and when, in the circle's zone`);
  const keepId = await noteId(keep.subject);
  const junkId = await noteId(junk.subject);
  const approve = articleOf(keep.subject);
  check(await approve.getByLabel('Group').inputValue() === String(g1.id), `the form offers ${g1.name}, where it was filed`);
  await approve.getByLabel('Group').selectOption({ label: g2.name });
  await approve.getByLabel('Week').fill('3');
  await send(approve.getByRole('button', { name: 'Approve' }), `${D}/notes/${keepId}/approve`, `${D}/review`,
    `done=approved&note=${keepId}`);
  await notice(`Approved message #${keepId}: it is published in its group's notes.`);
  await reloadSendsNothing();
  check((await text()).includes('1 message of this circle waits for review') && await page.getByRole('article').count() === 1,
    'one message waits now');

  await follow(page.getByRole('link', { name: 'All circles' }), (u) => u.pathname === '/dashboard', 'the circles');
  check((await text()).includes('2 messages wait for review'), 'the circles page: 2 messages wait');
  await follow(page.getByRole('link', { name: 'open the review queue' }), (u) => u.pathname === '/dashboard/review',
    'the whole review queue');
  check((await text()).includes('2 messages wait for review, in every circle and none.') &&
    (await text()).includes(`In ${TITLE}:`), `two wait: one says it is in ${TITLE}`);
  // The message that reached no circle: she files it in the Atlas circle.
  const { stray } = desk;
  const strayNote = articleOf(stray.subject);
  const strayText = await strayNote.innerText();
  check(strayText.includes(`${SLUG}s+g1-w1@circles.example.org`) && strayText.includes(`no circle called '${SLUG}s'`) &&
    strayText.includes('(UTC)'), 'the other was sent to a mistyped address, which it names, and reached no circle');
  const strayId = await noteId(stray.subject);
  await strayNote.getByLabel('Circle').selectOption({ label: TITLE });
  await strayNote.getByLabel('Group number').fill(String(g1.position));
  await strayNote.getByLabel('Week').fill('1');
  await send(strayNote.getByRole('button', { name: 'Approve' }), `/dashboard/notes/${strayId}/approve`,
    '/dashboard/review', `done=approved&note=${strayId}`);
  await notice(`Approved message #${strayId}: it is published in its group's notes.`);
  await reloadSendsNothing();
  check((await text()).includes('1 message waits for review, in every circle and none.'), 'one message waits now');
  // A circle's message is decided by its circle's form: back to its queue.
  await send(articleOf(junk.subject).getByRole('button', { name: 'Reject' }), `${D}/notes/${junkId}/reject`,
    `${D}/review`, `done=rejected&note=${junkId}`);
  await notice(`Rejected message #${junkId}.`);
  await reloadSendsNothing();
  check((await text()).includes('0 messages of this circle wait for review') &&
    await page.getByRole('article').count() === 0, 'nothing waits any more');

  step("the approved messages are in their weeks' digests, under the groups she chose");
  await follow(page.getByRole('link', { name: 'All circles' }), (u) => u.pathname === '/dashboard', 'the circles');
  check((await text()).includes('0 messages wait for review'), 'the circles page: nothing waits');
  await follow(page.getByRole('link', { name: TITLE, exact: true }), (u) => u.pathname === D, 'the circle page');
  check((await section('Notes').innerText()).includes('0 messages of this circle wait for review.'), 'the circle page: nothing waits');
  await follow(section('Notes').getByRole('link', { name: 'Read the notes digest' }),
    (u) => u.pathname === `${D}/digest`, 'the digest, its weeks to choose from');
  await follow(page.getByRole('navigation', { name: 'Weeks' }).getByRole('link', { name: '3', exact: true }),
    (u) => u.pathname === `${D}/digest` && u.searchParams.get('week') === '3', "week 3's digest");
  body = await text();
  const [at1, at2, atKeep] = [`\n${g1.name} (thread:`, `\n${g2.name} (thread:`, keep.body].map((t) => body.indexOf(t));
  check(at1 >= 0 && at2 > at1 && atKeep > at2 && !body.includes(junk.body),
    `it holds the approved message, under ${g2.name} (after ${g1.name}'s part), and not the rejected one`);
  check(await page.locator('[aria-current=page]').innerText() === '3', 'week 3 is marked as the current week');
  await follow(page.getByRole('navigation', { name: 'Weeks' }).getByRole('link', { name: '1', exact: true }),
    (u) => u.searchParams.get('week') === '1', "week 1's digest");
  body = await text();
  const [in1, in2, atStray] = [`\n${g1.name} (thread:`, `\n${g2.name} (thread:`, desk.stray.body].map((t) => body.indexOf(t));
  check(in1 >= 0 && atStray > in1 && atStray < in2, `week 1's holds the message that reached no circle, under ${g1.name}`);
  for (const [week, status, heading, says] of [
    ['9', 404, 'No such week', 'This circle has weeks 1 to 4; there is no week 9.'],
    ['0', 404, 'No such week', 'This circle has weeks 1 to 4; there is no week 0.'],
    ['x', 400, 'Bad week', 'The week must be a week number of the circle.']]) {
    res = await page.goto(`${base}${D}/digest?week=${week}`);
    check(res.status() === status && (res.headers()['content-type'] || '').startsWith('text/html') &&
      await page.getByRole('heading', { name: heading, level: 1 }).count() === 1 && (await text()).includes(says),
    `the digest of week ${week}: an HTML page "${heading}" (${res.status()}), not a 500`);
    await audit(`the digest of week ${week}`);
  }

  step("a plenary's registrations and waitlist");
  await goto(`${base}${D}`, 'the circle page');
  const plenaries = section('Plenary sessions');
  const pRow = plenaries.getByRole('row').filter({ has: page.getByRole('rowheader', { name: PLENARY.title }) });
  const pCells = (await pRow.getByRole('cell').allInnerTexts()).map((t) => t.trim());
  check(pCells.join(' | ') === '2027-04-20 19:30 (Pacific/Auckland) | 2 | 2 | 2 | -',
    `the circle lists it: starts (in the circle's zone), places, registered, waitlisted, no target (${pCells.join(' | ')})`);
  await follow(pRow.getByRole('link', { name: PLENARY.title }),
    (u) => u.pathname === `${D}/plenaries/${desk.plenary.id}`, "the plenary's page");
  await shoot('dashboard-plenary');
  body = await text();
  check(body.includes(PLENARY.guest), `its guest, ${PLENARY.guest}`);
  check(body.includes('2027-04-20 19:30 (Pacific/Auckland)') && body.includes('2: 2 registered, 2 on the waitlist'),
    'it starts 2027-04-20 19:30 (Pacific/Auckland); 2 places: 2 registered, 2 on the waitlist');
  const seats = [];
  for (const m of desk.seated) {
    const cells = (await page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: m.name, exact: true }) })
      .getByRole('cell').allInnerTexts()).map((t) => t.trim());
    seats.push(`${m.name}: ${cells.slice(1).join(' ')}`);
  }
  check(seats.map((s) => s.split(': ')[1]).join(', ') === 'registered -, registered -, waitlisted 1, waitlisted 2',
    'the facilitators have the places, two participants wait in the order they came', seats);
  await follow(page.getByRole('link', { name: 'Back to the circle' }), (u) => u.pathname === D, 'back to the circle');

  step('she downloads the report, the roster and the attendance matrix');
  const report = section('How the circle is going');
  const csvs = {};
  for (const [name, link] of [['report', 'the report (CSV)'], ['roster', 'the roster (CSV)'],
                              ['attendance', 'the attendance matrix (CSV)']]) {
    const [dl, answer] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForResponse((r) => new URL(r.url()).pathname === `${D}/${name}.csv`),
      report.getByRole('link', { name: link }).click(),
    ]);
    const h = answer.headers();
    const file = readFileSync(await dl.path(), 'utf8');
    check(answer.status() === 200 && h['content-type'].startsWith('text/csv') &&
      /^attachment; filename="circle-\d+-\w+\.csv"$/.test(h['content-disposition']) &&
      dl.suggestedFilename() === `circle-${circle.id}-${name}.csv`,
    `${link}: ${h['content-type']}, saved as ${dl.suggestedFilename()}`);
    csvs[name] = file;
    writeFileSync(path.join(outDir, `dashboard-${name}.csv`), file);
  }
  const firstLine = (s) => s.split('\r\n')[0];
  check(/^session_id,/.test(firstLine(csvs.report)), `the report's header row: ${firstLine(csvs.report).slice(0, 60)}...`);
  check(firstLine(csvs.roster) === 'id,name,email,role,sector,region,status,group' &&
    csvs.roster.split('\r\n').filter(Boolean).length === 58,
  "the roster's header row, then a row for each of the 57 people");
  check(firstLine(csvs.attendance) === 'name,email,group,week_1,week_2,week_3,week_4',
    "the attendance matrix's header row: name, email, group, weeks 1-4");
  const formulaCell = `"'${FORMULA.name.replace(/"/g, '""')}"`;
  for (const name of ['roster', 'attendance']) {
    check(csvs[name].includes(`${formulaCell},${FORMULA.email}`) && !/(^|,)=/m.test(csvs[name]),
      `the ${name}: the name starting with = is quoted and made text (${formulaCell}), no cell starts with =`);
  }
  check(csvs.roster.includes(`,${leaver.name},${leaver.email},participant,`) &&
    csvs.roster.split('\r\n').find((l) => l.includes(leaver.email)).includes(',withdrawn,'),
  `the roster has ${leaver.name} as withdrawn`);

  // Error pages are pages too.
  step('error pages are pages');
  for (const [name, url, status] of [
    ['mistyped-link', lateUrl.slice(0, -3) + 'zzz', 404],
    ['unknown-circle', `${base}/dashboard/circles/999999`, 404],
    ['unknown-person', `${base}${D}/people/999999/move`, 404],
    ['unknown-plenary', `${base}${D}/plenaries/999999`, 404],
    ['unknown-dashboard-page', `${base}/dashboard/nowhere`, 404]]) {
    res = await page.goto(url);
    check(res.status() === status && (res.headers()['content-type'] || '').startsWith('text/html'),
      `${name}: an HTML page with status ${res.status()}, not JSON`);
    await audit(name);
  }

  step('she logs out');
  await goto(`${base}/dashboard`, 'the circles');
  await send(page.getByRole('navigation', { name: 'Dashboard' }).getByRole('button', { name: 'Log out' }),
    '/dashboard/logout', '/dashboard/login', '');
  check((await context.cookies()).length === 0 &&
    await page.getByRole('heading', { name: 'Coordinator dashboard', level: 1 }).count() === 1 &&
    await page.getByLabel('Coordinator API token').count() === 1,
  'the session cookie is gone, and the login form asks for a token again');
  await reloadSendsNothing();
  res = await page.goto(`${base}${D}`);
  check(new URL(page.url()).pathname === '/dashboard/login' && res.status() === 200,
    'the circle page now sends her to the login form');

  // No credential, no page.
  const anon = await fetch(`${base}${D}`, { redirect: 'manual' });
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
