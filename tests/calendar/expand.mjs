// expand.mjs: the two JavaScript readers of tests/calendar/readers.py.
// Reads one path of an iCalendar file per line on stdin and answers, per
// line on stdout, a JSON object {"icaljs": [...], "nodeical": [...]}: each
// reader's expansion of every VEVENT as sorted "UID 2027-09-25T14:30:00Z"
// strings (UTC start instants), or ["ERROR ..."] when the reader failed.
// - ical.js 2.2.1 is Thunderbird's parser: the file's own VTIMEZONEs are
//   registered first (the registry is emptied between files, so one file's
//   zone never stands in for another's), RECURRENCE-ID overrides related to
//   their master, occurrences whose STATUS is CANCELLED dropped.
// - node-ical 0.25.6 resolves a TZID by its IANA name only, as Google
//   does; EXDATEs and overrides applied, cancelled overrides dropped.
// Adapted from the ical-readers tool the issue was found with.
// usage: node expand.mjs NODE_MODULES_DIR   (paths on stdin)
import fs from 'node:fs';
import readline from 'node:readline';
import { createRequire } from 'node:module';

const modules = process.argv[2];
const require = createRequire(modules + '/');
const ICAL = (await import(modules + '/ical.js/dist/ical.js')).default;
const nodeIcal = require('node-ical');
const lo = new Date('2000-01-01T00:00:00Z'), hi = new Date('2100-01-01T00:00:00Z');
const iso = (d) => d.toISOString().replace('.000Z', 'Z');

function icaljs(text) {
  ICAL.TimezoneService.reset();
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const vtz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtz);
  const evs = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const res = [];
  const masters = evs.filter((e) => !e.isRecurrenceException());
  for (const e of evs.filter((e) => e.isRecurrenceException())) {
    const m = masters.find((x) => x.uid === e.uid);
    if (m) m.relateException(e);
    else if (e.component.getFirstPropertyValue('status') !== 'CANCELLED') {
      res.push(`${e.uid} ${iso(e.startDate.toJSDate())}`); // an override alone (iTIP)
    }
  }
  for (const ev of masters) {
    if (!ev.isRecurring()) {
      res.push(`${ev.uid} ${iso(ev.startDate.toJSDate())}`);
      continue;
    }
    const it = ev.iterator();
    let n, i = 0;
    while ((n = it.next()) && i++ < 1000) {
      const d = ev.getOccurrenceDetails(n);
      if (d.item.component.getFirstPropertyValue('status') === 'CANCELLED') continue;
      res.push(`${ev.uid} ${iso(d.startDate.toJSDate())}`);
    }
  }
  return res.sort();
}

function nodeical(text) {
  const data = nodeIcal.sync.parseICS(text);
  const res = [];
  for (const k of Object.keys(data)) {
    const ev = data[k];
    if (ev.type !== 'VEVENT') continue;
    if (ev.rrule) {
      const ex = ev.exdate ? Object.values(ev.exdate).map((d) => iso(new Date(d))) : [];
      for (const d of ev.rrule.between(lo, hi, true)) {
        const key = iso(d);
        if (ex.includes(key)) continue;
        const ov = ev.recurrences &&
          Object.values(ev.recurrences).find((r) => iso(new Date(r.recurrenceid)) === key);
        if (ov) {
          if (ov.status !== 'CANCELLED') res.push(`${ev.uid} ${iso(new Date(ov.start))}`);
          continue;
        }
        res.push(`${ev.uid} ${key}`);
      }
    } else {
      res.push(`${ev.uid} ${iso(new Date(ev.start))}`);
    }
  }
  return res.sort();
}

function attempt(fn, text) {
  try { return fn(text); } catch (e) { return [`ERROR ${e.name}: ${e.message}`]; }
}

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line) continue;
  const text = fs.readFileSync(line, 'utf8');
  const out = { icaljs: attempt(icaljs, text), nodeical: attempt(nodeical, text) };
  process.stdout.write(JSON.stringify(out) + '\n');
}
