// lib.mjs: what the end-to-end stories share: reporting and checks,
// child processes (the daemon, the SMTP server) that are always stopped,
// the JSON API with a coordinator token, the Mailgun webhook signed as
// Mailgun signs it, the SMTP server's maildir read back as MIME parts,
// and just enough iCalendar reading to compare instants with an
// independent time-zone computation (Intl's tz database).

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';

export const children = [];
export const started = Date.now();
const scratch = [];

// A scratch folder, removed at exit unless E2E_KEEP is set.
export function scratchDir(prefix) {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(d);
  return d;
}

// The daemon's address, the coordinator token and the Mailgun signing
// key: set by the story once it has them.
export const ctx = { base: '', token: '', signingKey: '' };

// ---- reporting ------------------------------------------------------------

export function step(title) {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[${s}s] ${title}`);
}

export function ok(what) {
  console.log(`         ok: ${what}`);
}

export class CheckFailed extends Error {}

export function check(cond, what, detail) {
  if (!cond) {
    const more = detail === undefined ? '' :
      `\n  ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
    throw new CheckFailed(`${what}${more}`);
  }
  ok(what);
}

// ---- processes --------------------------------------------------------------

export function stopAll() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try { c.kill('SIGTERM'); } catch { /* already gone */ }
    }
  }
}

process.on('exit', () => {
  stopAll();
  if (!process.env.E2E_KEEP) for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { console.error(`e2e: ${sig}, stopping`); process.exit(1); });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function start(name, cmd, args, env, logFile) {
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

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, timeoutMs = 15000, everyMs = 100) {
  const until = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > until) throw new CheckFailed(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

// ---- HTTP -----------------------------------------------------------------


export async function api(method, urlPath, body, { type, expect, auth = true } = {}) {
  const headers = {};
  if (auth) headers.Authorization = `Bearer ${ctx.token}`;
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
  const res = await fetch(ctx.base + urlPath, { method, headers, body: payload });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (expect !== undefined && res.status !== expect) {
    throw new CheckFailed(`${method} ${urlPath}: status ${res.status}, expected ${expect}\n  ${text.slice(0, 600)}`);
  }
  return { status: res.status, json, text, headers: res.headers };
}

// One message through the Mailgun webhook, signed as Mailgun signs it;
// `fields` are the form's (recipient, sender, from, subject, body-plain,
// Message-Id).
export async function mailgun(fields) {
  const ts = String(Math.floor(Date.now() / 1000));
  const tok = randomBytes(25).toString('hex');
  // Mailgun posts its SPF verdict for the envelope sender with the mail
  const form = new URLSearchParams({
    'X-Mailgun-Spf': 'Pass', ...fields, timestamp: ts, token: tok,
    signature: createHmac('sha256', ctx.signingKey).update(ts + tok).digest('hex'),
  });
  const res = await fetch(`${ctx.base}/hooks/mail/mailgun`, {
    method: 'POST', body: form,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const text = await res.text();
  if (res.status !== 200) throw new CheckFailed(`Mailgun webhook (${fields.subject}): ${res.status} ${text}`);
}

// ---- mail (the SMTP server's maildir) -------------------------------------

export function parseHeaders(block) {
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

export function param(header, name) {
  const m = new RegExp(`${name}="?([^";]+)"?`, 'i').exec(header || '');
  return m ? m[1] : null;
}

export function decodeBody(body, cte) {
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
export function mimeParts(raw) {
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

export function readMail(maildir) {
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

export function unfold(ics) {
  return ics.replace(/\r\n/g, '\n').replace(/\n[ \t]/g, '');
}

// The VEVENTs of a calendar, each as {NAME: [{params, value}]}.
export function vevents(ics) {
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
export function tzOffset(ms, tz) {
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
export function wallToUtc(y, mo, d, h, mi, tz) {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let utc = guess - tzOffset(guess, tz);
  utc = guess - tzOffset(utc, tz);
  return utc;
}

// "20270323T193000" with TZID, or "...Z", to a UTC instant (ms).
export function icalTime(prop) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(prop.value);
  if (!m) throw new CheckFailed(`cannot read time '${prop.value}'`);
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  if (m[7] === 'Z') return Date.UTC(y, mo - 1, d, h, mi);
  return wallToUtc(y, mo, d, h, mi, prop.params.TZID);
}

// The instants (ISO UTC) of every series in a feed: RRULE FREQ=WEEKLY;COUNT=n
// stepped in wall time, less EXDATEs, with RECURRENCE-ID overrides applied.
// Only what mingle emits is handled; anything else is a failure.
export function expand(ics) {
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
