#!/usr/bin/env node
// signup.mjs: people on their own, end to end. A circle already has its
// groups (sixteen people imported and planned). The coordinator opens its
// sign-up page with late sign-ups placed automatically; three people sign
// themselves up in headless Chromium, each confirms from the mail that
// reached a real SMTP server on loopback, is placed into a group and gets
// the invitation. The daemon runs against a clock the test controls
// (MINGLE_CLOCK_FILE): their reminders come 24 hours and 1 hour before
// the first call and not a minute early, each call's time written in the
// person's own zone, exactly once across a restart of the daemon. One of
// the three leaves from their own page: their calls are cancelled, the
// coordinator is told, and no reminder reaches them after that.
//
// usage: node tests/e2e/signup.mjs [PATH/TO/mingle]   (or $MINGLE_BIN)
// needs what atlas.mjs needs: /usr/bin/python3 with aiosmtpd,
// /usr/bin/chromium and `npm ci --prefix tests/e2e`.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  children, ctx, scratchDir, step, ok, CheckFailed, check, stopAll, freePort,
  start, sleep, waitFor, canConnect, api, readMail, wallToUtc,
} from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const mingle = path.resolve(process.argv[2] || process.env.MINGLE_BIN ||
                            path.join(repo, 'build/mingle'));
const outDir = path.join(here, 'out');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const python = '/usr/bin/python3';
const work = scratchDir('mingle-signup-');
let browser = null;

// ---- the clock the daemon reads -------------------------------------------

const clockFile = path.join(work, 'clock');
let clockNow = 0;
function setClock(ms) {
  clockNow = Math.floor(ms / 1000);
  writeFileSync(clockFile, `${clockNow}\n`);
}
const advance = (seconds) => setClock((clockNow + seconds) * 1000);

// ---- the story --------------------------------------------------------------

const SLUG = 'atlas-autumn';
const TITLE = 'The Atlas of New Librarianship: autumn circle';
const ZONE = 'Pacific/Auckland';
// The calls: Tuesdays 19:30 in Auckland from 2027-03-23. The first is at
// 2027-03-23T06:30Z (NZDT, UTC+13), worked out independently with
// Python's zoneinfo; wallToUtc (Intl's tz database) must agree.
const FIRST_CALL = Date.parse('2027-03-23T06:30:00Z');
// The test's clock starts eight days before: a sign-up never confirmed
// (kept 7 days by default) is gone by the first reminders.
const START = Date.parse('2027-03-15T06:00:00Z');

// Three people signing up: one in Sydney, whose call is at 17:30 there
// (AEDT, UTC+11: 06:30Z + 11 h), and one whose name needs a macron.
const NEWCOMERS = [
  { name: 'Tūī Rāwiri', email: 'tui.rawiri@example.org', sector: 'public', region: 'Waikato',
    zone: ZONE, local: '19:30' },
  { name: 'Sam Okafor', email: 'sam.okafor@example.net', sector: 'academic', region: 'Other',
    zone: 'Australia/Sydney', local: '17:30' },
  { name: 'Li Wei', email: 'li.wei@example.org', sector: 'special', region: 'Wellington',
    zone: ZONE, local: '19:30' },
];
const LEAVER = NEWCOMERS[2];
// A fourth who signs up and never confirms.
const SILENT = { name: 'Ngaio Marsh', email: 'ngaio.marsh@example.org', sector: 'school', region: 'Canterbury',
  zone: ZONE, local: '19:30' };
const COORDINATOR = 'circles@example.org';

async function startDaemon(port, db, inbox, smtpPort, logName) {
  const daemon = start('mingle serve', mingle, ['serve', '--port', String(port), '--db', db], {
    MINGLE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MINGLE_OUTBOX_INTERVAL: '1',
    MINGLE_BASE_URL: ctx.base,
    MINGLE_MAIL_FROM: COORDINATOR,
    MINGLE_MAILDIR: path.join(work, 'unused-maildir'),
    MINGLE_CLOCK_FILE: clockFile,
  }, path.join(outDir, logName));
  await waitFor('mingle serve to answer /healthz', async () => {
    if (daemon.died) throw new CheckFailed(`${daemon.died}\n${daemon.log}`);
    try { return (await fetch(`${ctx.base}/healthz`)).ok; } catch { return false; }
  });
  return daemon;
}

async function stopDaemon(daemon) {
  daemon.stopping = true;
  const gone = new Promise((r) => daemon.on('exit', r));
  daemon.kill('SIGTERM');
  await gone;
}

// The mail one person got, by a test on the subject.
const mailTo = (inbox, email, test) =>
  readMail(inbox).filter((m) => m.to.includes(email.toLowerCase()) && test(m));

// The text/plain part of a message.
const plain = (m) => (m.parts.find((p) => p.type === 'text/plain') || { text: '' }).text;

// "17:30" for instant `ms` in `zone`, from Intl's tz database.
function hhmm(ms, zone) {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit',
  }).format(new Date(ms));
}

async function main() {
  step(`setup: mingle ${mingle}, scratch ${work}`);
  check(existsSync(mingle), `the mingle binary exists (${mingle})`);
  check(existsSync(chromiumPath), `${chromiumPath} exists (Debian's chromium package)`);
  mkdirSync(outDir, { recursive: true });
  check(wallToUtc(2027, 3, 23, 19, 30, ZONE) === FIRST_CALL,
    'the first call is 2027-03-23T06:30Z by Intl as by zoneinfo');
  for (const n of NEWCOMERS) {
    check(hhmm(FIRST_CALL, n.zone) === n.local, `the first call is ${n.local} in ${n.zone}`);
  }
  setClock(START);

  const smtpPort = await freePort();
  const inbox = path.join(work, 'inbox');
  const smtp = start('aiosmtpd', python, ['-m', 'aiosmtpd', '-n', '-l',
    `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', inbox], {});
  await waitFor('aiosmtpd to listen', async () => {
    if (smtp.died) throw new CheckFailed(`${smtp.died}: is python3-aiosmtpd installed?\n${smtp.log}`);
    return canConnect(smtpPort);
  });
  ok(`SMTP server on 127.0.0.1:${smtpPort}`);

  const db = path.join(work, 'signup.db');
  ctx.token = execFileSync(mingle, ['token', 'create', '--role', 'coordinator',
    '--label', 'e2e', '--db', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const port = await freePort();
  ctx.base = `http://127.0.0.1:${port}`;
  let daemon = await startDaemon(port, db, inbox, smtpPort, 'signup-mingle.log');
  ok(`mingle serve on ${ctx.base}, its clock at ${new Date(START).toISOString()}`);

  // 1. A circle with its groups.
  step('a circle with sixteen people in two groups');
  const circle = (await api('POST', '/api/v1/circles', {
    title: TITLE, slug: SLUG, time_zone: ZONE, start_date: '2027-03-23',
    weeks: 4, slots: [{ weekday: 'tuesday', start: '19:30', minutes: 60 }],
    group_size: { min: 6, max: 10 },
    video_url: 'https://meet.example.org/atlas',
    organizer: { name: 'Reading circle coordinators', email: COORDINATOR },
  }, { expect: 201 })).json;
  const C = `/api/v1/circles/${circle.id}`;
  await api('POST', `${C}/book?name=atlas-outline.md`,
    readFileSync(path.join(repo, 'data/atlas-outline.md')), { type: 'text/markdown', expect: 201 });
  await api('POST', `${C}/participants`, readFileSync(path.join(repo, 'data/demo-people.csv'), 'utf8'),
    { type: 'text/csv', expect: 201 });
  // each group meets in its own room, named from the circle's template
  await api('PATCH', C, { call_url_template: 'https://meet.jit.si/{circle}-{group}-{secret}' }, { expect: 200 });
  const plan = (await api('POST', `${C}/groups/plan?seed=1`, undefined, { expect: 201 })).json;
  check(plan.invitations_queued === 16, `16 invitations queued (${plan.invitations_queued})`);
  await waitFor('16 invitations in the SMTP server', () => readMail(inbox).length >= 16, 20000, 200);

  // 2. The coordinator opens the sign-up page.
  step('the coordinator opens sign-up, late sign-ups placed at once');
  const settings = (await api('PUT', `${C}/signup`, {
    state: 'open', capacity: 40, auto_place: true,
    sectors: ['public', 'academic', 'school', 'special'],
    regions: ['Auckland', 'Waikato', 'Wellington', 'Canterbury'],
  }, { expect: 200 })).json;
  check(settings.state === 'open' && settings.auto_place === true, 'sign-up is open with auto_place');

  // 3. Three people sign up in Chromium.
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new CheckFailed(`cannot load playwright-core: run 'npm ci --prefix tests/e2e' (${e.message})`);
  }
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // anything the page asks for that is not there (the browser's own
  // favicon.ico aside)
  page.on('response', (res) => {
    if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) problems.push(`${res.status()} ${res.url()}`);
  });
  const axeSource = readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
  async function audit(name) {
    await page.evaluate(axeSource);
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
    });
    check(found.length === 0, `${name}: axe-core finds no serious or critical violation`, found.join('\n  '));
  }
  const bodyText = () => page.evaluate(() => document.body.innerText);

  for (const [i, n] of [...NEWCOMERS, SILENT].entries()) {
    step(`${n.name} signs up on /join/${SLUG}`);
    const res = await page.goto(`${ctx.base}/join/${SLUG}`);
    check(res.status() === 200, `the sign-up page answers 200 (${res.status()})`);
    check(await page.locator('script').count() === 0, 'the page has no script at all');
    if (i === 0) {
      await audit('the sign-up page');
      await page.screenshot({ path: path.join(outDir, 'signup-form.png'), fullPage: true });
      // the honeypot: there for a form-filling program, off-screen for a person
      const hp = page.locator('#website');
      const box = await hp.boundingBox();
      check(await hp.count() === 1 && (!box || box.x + box.width <= 0),
        'the honeypot field is there and off-screen', box);
    }
    await page.getByLabel('Your name').fill(n.name);
    await page.getByLabel('Your email address').fill(n.email);
    await page.getByLabel('Your library sector').selectOption(n.sector);
    await page.getByLabel('Your region').selectOption(n.region === 'Other' ? { index: 0 } : n.region);
    if (n.region === 'Other') {
      await page.getByLabel('Your region').selectOption({ label: 'Other (say which below)' });
      await page.locator('input[name="region_other"]').fill('New South Wales');
    }
    await page.getByLabel('Your time zone').selectOption(n.zone);
    if (n.zone !== ZONE) {
      // the times in the chosen zone, without a script: ask the server
      await page.getByRole('button', { name: 'Show the call times in this zone' }).click();
      await page.waitForLoadState('load');
      const slot = await page.locator('fieldset#slots label').first().innerText();
      check(slot.includes(`${n.local} in ${n.zone}`), `the call time shown in ${n.zone} too (${slot.trim()})`);
    }
    await page.locator('input[name="slot"]').first().check();
    await page.getByLabel('Choice 1').selectOption({ index: 1 + i });
    await page.getByLabel('I have read what is collected and why, and I agree').check();
    // a person takes a while over the form; the daemon's clock says so
    advance(30);
    await page.getByRole('button', { name: 'Sign up', exact: true }).last().click();
    await page.waitForLoadState('load');
    const said = await bodyText();
    check(said.includes('Check your mail'), `the page asks ${n.name} to check their mail`, said.slice(0, 400));
    if (i === 0) await audit('the check-your-mail page');
  }
  check(problems.length === 0, 'no script errors on the sign-up pages', problems);

  // Nobody is planned before confirming.
  let people = (await api('GET', `${C}/participants?limit=100`, undefined, { expect: 200 })).json.participants;
  for (const n of [...NEWCOMERS, SILENT]) {
    const p = people.find((x) => x.email === n.email);
    check(p && p.status === 'pending' && !p.group_id, `${n.name} is pending and in no group`, p);
  }

  // 4. Each confirms from the mail.
  step('each confirms from the mail that reached the SMTP server');
  const pageUrls = new Map();
  for (const n of NEWCOMERS) {
    const [mail] = await waitFor(`the confirmation mail to ${n.email}`,
      () => { const m = mailTo(inbox, n.email, (x) => /confirm/i.test(x.subject)); return m.length ? m : null; },
      20000, 200);
    const link = (new RegExp(`${ctx.base.replace(/[.]/g, '\\.')}/join/${SLUG}/confirm/[0-9A-Za-z_-]+`)
      .exec(plain(mail)) || [])[0];
    check(link, `the mail to ${n.name} carries a confirmation link`, plain(mail).slice(0, 500));
    // Opening the link changes nothing (mail scanners open links): a button does.
    await page.goto(link);
    check((await bodyText()).includes('Confirm my place'), 'the link shows a button to confirm');
    people = (await api('GET', `${C}/participants?limit=100`, undefined, { expect: 200 })).json.participants;
    check(people.find((x) => x.email === n.email).status === 'pending', 'opening the link alone confirms nothing');
    await page.getByRole('button', { name: 'Confirm my place' }).click();
    await page.waitForLoadState('load');
    check((await bodyText()).includes('Your place is confirmed'), `${n.name}'s place is confirmed`);
    const own = page.locator('a[href*="/p/"]');
    check(await own.count() === 1, `${n.name} is shown the link to their own page`);
    const url = await own.getAttribute('href');
    pageUrls.set(n.email, new URL(url, ctx.base).href);
  }

  // 5. Placed late into the groups, each with an invitation.
  step('they are placed into the existing groups and invited');
  const groups = (await api('GET', `${C}/groups`, undefined, { expect: 200 })).json.groups;
  const groupOf = new Map(groups.flatMap((g) => g.members.map((m) => [m.email, g])));
  for (const n of NEWCOMERS) {
    check(groupOf.has(n.email), `${n.name} is in ${groupOf.get(n.email)?.name}`);
    await waitFor(`the invitation to ${n.email}`,
      () => mailTo(inbox, n.email, (m) => m.method === 'REQUEST').length === 1, 20000, 200);
  }
  check(groups.reduce((s, g) => s + g.members.length, 0) === 19, 'nineteen people in the groups');
  check(groups.every((g) => /^https:\/\/meet\.jit\.si\/atlas-autumn-[a-z0-9-]+-[0-9a-f]{24}$/.test(g.call_link)) &&
    groups[0].call_link !== groups[1].call_link, 'each group has its own call room', groups.map((g) => g.call_link));
  ok('each of the three got one METHOD:REQUEST');

  // 6. Reminders at the right times.
  const reminders = (email) => mailTo(inbox, email, (m) => /^Reminder/.test(m.subject));
  const everyone = groups.flatMap((g) => g.members.map((m) => m.email));
  step('no reminder a minute before 24 hours ahead of the first call');
  setClock(FIRST_CALL - 24 * 3600 * 1000 - 60 * 1000);
  await sleep(3000);
  check(everyone.every((e) => reminders(e).length === 0), 'no reminder yet');
  people = (await api('GET', `${C}/participants?limit=100`, undefined, { expect: 200 })).json.participants;
  check(!people.some((x) => x.email === SILENT.email) && reminders(SILENT.email).length === 0,
    `${SILENT.name}, who never confirmed, is erased after seven days by the daemon's scheduler`);
  step('24 hours ahead: everyone gets one reminder, their time in their zone');
  setClock(FIRST_CALL - 24 * 3600 * 1000 + 5 * 1000);
  await waitFor('19 reminders', () => everyone.every((e) => reminders(e).length === 1), 20000, 250);
  for (const n of NEWCOMERS) {
    const [m] = reminders(n.email);
    const text = plain(m);
    check(text.includes(n.local), `${n.name}'s reminder gives the call at ${n.local} (${n.zone})`, text.slice(0, 600));
    if (n.zone !== ZONE) check(text.includes('19:30'), '... and 19:30 in the circle\'s zone');
    check(/\/r\/\d+\/\d+\/[0-9a-f]+/.test(text), 'with a link for "can\'t come"');
    check(text.includes(groupOf.get(n.email).call_link), `and their group's own room (${groupOf.get(n.email).call_link})`);
  }

  step('the daemon restarts: nothing is sent twice');
  await stopDaemon(daemon);
  daemon = await startDaemon(port, db, inbox, smtpPort, 'signup-mingle-2.log');
  await sleep(3000);
  check(everyone.every((e) => reminders(e).length === 1), 'still one reminder each after a restart');

  // 7. One leaves from their own page.
  step(`${LEAVER.name} leaves from their own page`);
  await page.goto(pageUrls.get(LEAVER.email));
  await page.getByRole('button', { name: 'Leave the circle', exact: true }).click();
  await page.waitForLoadState('load');
  await page.getByRole('button', { name: 'Yes, leave the circle' }).click();
  await page.waitForLoadState('load');
  check((await bodyText()).includes('You have left the circle'), 'the page says they have left');
  await audit('the page after leaving');
  await waitFor('a CANCEL to the leaver', () =>
    mailTo(inbox, LEAVER.email, (m) => m.method === 'CANCEL').length === 1, 20000, 200);
  await waitFor('the coordinator told', () =>
    mailTo(inbox, COORDINATOR, (m) => m.subject.includes(LEAVER.name) || plain(m).includes(LEAVER.name)).length >= 1,
  20000, 200);
  ok('their calls are cancelled and the coordinator is told');

  step('an hour ahead: the others get their second reminder, the leaver none');
  setClock(FIRST_CALL - 3600 * 1000 + 5 * 1000);
  const stayed = everyone.filter((e) => e !== LEAVER.email);
  await waitFor('18 second reminders', () => stayed.every((e) => reminders(e).length === 2), 20000, 250);
  await sleep(2000);
  check(reminders(LEAVER.email).length === 1, 'the leaver got no second reminder');

  step('after the call began, nothing more is sent for it');
  setClock(FIRST_CALL + 60 * 1000);
  await sleep(3000);
  check(stayed.every((e) => reminders(e).length === 2), 'two reminders each for the first call, no more');
  await browser.close();
  browser = null;
  await stopDaemon(daemon);
}

try {
  await main();
  process.exitCode = 0;
} catch (e) {
  console.error(`\nFAILED: ${e instanceof CheckFailed ? e.message : e.stack}`);
  const d = children.filter((c) => c.spawnargs.includes('serve')).pop();
  if (d) console.error(`--- mingle log (last lines) ---\n${d.log.split('\n').slice(-25).join('\n')}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const c of children) c.stopping = true;
  stopAll();
}
