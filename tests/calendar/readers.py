#!/usr/bin/python3
"""readers.py: every feed and every invitation of circles that cross daylight-saving changes,
read by four independent calendar readers, against an expectation the test works out itself.

Issue #16, "Done when": a calendar test compares all feeds and invitations of DST-crossing
circles (Auckland April and September, New York November, London with a Monday 00:30 call,
Adelaide) against an independent expectation of each call's instant, after each kind of change.

The real daemon (`mingle serve`, empty database, a coordinator token from `mingle token create`)
gets five circles, each with three groups (A, B, C) planned from nine people:

  auckland-april  Pacific/Auckland, Sunday 02:30 across 4 April 2027 (02:00-03:00 happens twice)
  auckland-sept   Pacific/Auckland, Sunday 02:30 from 26 September 2027 (02:00-03:00 does not
                  happen: the first call's wall time is in the gap)
  new-york-nov    America/New_York, Sunday 01:30 across 7 November 2027 (01:00-02:00 twice)
  london          Europe/London, Monday 00:30 from March to November 2027 (both changes; the
                  call is on Sunday in UTC in summer)
  adelaide        Australia/Adelaide (UTC+9:30/+10:30), Monday 09:30 across 3 October 2027

and then, in order, the changes a coordinator makes: one call of group A moved within its week
(session move), two calls of A cancelled (session cancel), one of them restored (restore), group
B moved to the circle's other slot (series move), a member of A withdrawn (withdraw), a late
joiner added and placed by a rebalance (late joiner), group C's series cancelled (series
cancel), and the circle's time zone changed (time-zone change).

After the planning and after each change, every participant's feed and every group's feed is
fetched, and every queued invitation is read from the outbox table (the iTIP document mingle
keeps for each; the latest message per person and UID counts, a METHOD:CANCEL removes the
series). Each document is expanded to UTC instants by four readers:

  icalendar   python3-icalendar + recurring-ical-events (the TZID through its own tz database)
  vobject     python3-vobject (expands with the file's own VTIMEZONE, so it checks its history)
  icaljs      ical.js 2.2.1, Thunderbird's parser (the file's VTIMEZONEs registered first)
  nodeical    node-ical 0.25.6 (TZIDs by IANA name only, as Google reads them)

and each reader's instants are compared with the expectation, computed here with zoneinfo from
the slot's wall time, the week's date and the changes this test made -- never from mingle's
sessions API, which is compared too, as a second check. A wall time that does not exist (in a
gap) is read as RFC 5545 3.3.5 says, with the UTC offset before the gap (02:30 in Auckland on
26 September 2027 is 03:30 NZDT); one that happens twice is the first occurrence (daylight
time). Cancelled calls must be absent (an EXDATE, or a STATUS:CANCELLED override, which the
readers drop); a cancelled series must be absent entirely; a withdrawn person's feed must stay
200 and hold no calls. Then `POST .../invites` must answer 200 with nothing more to queue: the
change queued its own mail, and one group's state never blocks the circle's.

What this test chose where the issue is silent:
  - A series moved to another slot keeps no earlier single-call moves (as Outlook and Google
    do when a series' time changes); the test moves a group (B) that has none, so this is not
    relied on.
  - A time-zone change may be refused with a message (409 or 422 with error.message; then
    nothing changes) or applied; applied, every call (all are in the future) keeps its wall
    time in the new zone, the moved one its moved wall time, cancelled ones stay cancelled.

usage: readers.py PATH/TO/mingle [PATH/TO/node]   (READERS_KEEP=1 keeps the scratch directory)
needs: python3-icalendar, python3-recurring-ical-events, python3-vobject (Debian, run with
/usr/bin/python3), node with `npm ci --prefix tests/e2e` (ical.js, node-ical). A missing reader
is a failure that says what to install, never a skip. Exit 0 when everything agrees, 1 with a
list of every difference otherwise (grouped: circle, step, what, reader, week, expected and got
instants with their local wall times, and who).
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zoneinfo

UTC = datetime.timezone.utc
HERE = os.path.dirname(os.path.abspath(__file__))
NODE_MODULES = os.path.normpath(os.path.join(HERE, "..", "e2e", "node_modules"))
READERS = ("icalendar", "vobject", "icaljs", "nodeical")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
STARTED = time.monotonic()


def say(msg):
    print(f"[{time.monotonic() - STARTED:5.1f}s] {msg}", flush=True)


def die(msg):
    print(f"readers: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


# ---- the readers ------------------------------------------------------------------------------

try:
    import icalendar
    import recurring_ical_events
    import vobject
except ImportError as e:
    die(f"a calendar reader is missing ({e}; this is {sys.executable}): install Debian's "
        "python3-icalendar python3-recurring-ical-events python3-vobject "
        "(bash .ci/install-deps does) and run the test with /usr/bin/python3")

LO, HI = datetime.datetime(2000, 1, 1), datetime.datetime(2100, 1, 1)


def utc_text(d):
    if not isinstance(d, datetime.datetime):
        return "DATE:" + d.isoformat()
    if d.tzinfo is None:
        return "FLOATING:" + d.isoformat()
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_icalendar(data):
    """python icalendar + recurring-ical-events; cancelled overrides dropped."""
    cal = icalendar.Calendar.from_ical(data)
    res = []
    for o in recurring_ical_events.of(cal).between(LO, HI):
        if o.get("RECURRENCE-ID") is not None and str(o.get("STATUS", "")).upper() == "CANCELLED":
            continue
        res.append(f"{o.get('UID')} {utc_text(o.decoded('DTSTART'))}")
    return sorted(res)


def read_vobject(data):
    """vobject, validating, expanding with the file's own VTIMEZONE."""
    v = vobject.readOne(data.decode("utf-8"), validate=True)
    res = []
    events = getattr(v, "vevent_list", [])
    for ev in events:
        if hasattr(ev, "recurrence_id"):
            continue
        rs = ev.getrruleset(addRDate=True)
        for s in (list(rs) if rs is not None else [ev.dtstart.value]):
            res.append(f"{ev.uid.value} {utc_text(s)}")
    for ev in events:  # an override replaces the instance at its RECURRENCE-ID
        if not hasattr(ev, "recurrence_id"):
            continue
        old = f"{ev.uid.value} {utc_text(ev.recurrence_id.value)}"
        if old in res:
            res.remove(old)
        st = getattr(ev, "status", None)
        if not (st and st.value.upper() == "CANCELLED"):
            res.append(f"{ev.uid.value} {utc_text(ev.dtstart.value)}")
    return sorted(res)


class JsReaders:
    """ical.js and node-ical in one long-lived node process (tests/calendar/expand.mjs)."""

    def __init__(self, node):
        missing = [m for m in ("ical.js", "node-ical")
                   if not os.path.isdir(os.path.join(NODE_MODULES, m))]
        if missing:
            die(f"{' and '.join(missing)} missing from {NODE_MODULES}: run "
                "`npm ci --prefix tests/e2e` (bash .ci/install-deps does)")
        if not shutil.which(node):
            die(f"node ('{node}') not found: install Node.js >= 18 (bash .ci/install-deps does)")
        self.p = subprocess.Popen([node, os.path.join(HERE, "expand.mjs"), NODE_MODULES],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def read(self, path):
        self.p.stdin.write(path + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            die(f"the node readers stopped (exit {self.p.poll()}) on {path}")
        return json.loads(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


class Expander:
    """Each distinct document (DTSTAMP aside) expanded once by all four readers."""

    def __init__(self, node, work):
        self.js = JsReaders(node)
        self.dir = os.path.join(work, "ics")
        os.makedirs(self.dir)
        self.cache = {}

    def expand(self, text):
        key = hashlib.sha256(re.sub(r"(?m)^DTSTAMP:.*\r?\n", "", text).encode()).hexdigest()
        if key not in self.cache:
            data = text.encode("utf-8")
            out = {}
            for name, fn in (("icalendar", read_icalendar), ("vobject", read_vobject)):
                try:
                    out[name] = fn(data)
                except Exception as e:  # a reader that cannot read the file is a finding
                    out[name] = [f"ERROR {type(e).__name__}: {e}"]
            path = os.path.join(self.dir, key[:16] + ".ics")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            out.update(self.js.read(path))
            self.cache[key] = (out, path)
        return self.cache[key]


# ---- the expectation ---------------------------------------------------------------------------

def rfc5545_instant(wall, tz):
    """A local wall time in `tz` as a UTC instant, read as RFC 5545 3.3.5 says: a time that
    happens twice is its first occurrence; a time that does not exist is read with the UTC
    offset before the gap (so 02:30 in a gap from 02:00 to 03:00 is 03:30 after it). PEP 495's
    fold=0 is exactly that rule; the oracle's self-check below holds it to the RFC's cases."""
    return wall.replace(tzinfo=zoneinfo.ZoneInfo(tz), fold=0).astimezone(UTC)


def oracle_self_check():
    def utc(s):
        return datetime.datetime.fromisoformat(s).replace(tzinfo=UTC)
    cases = [  # (wall, zone, instant), each worked out by hand from the zone's rules
        ("2027-09-26T02:30", "Pacific/Auckland", "2027-09-25T14:30"),  # gap: 03:30 NZDT (+13)
        ("2027-10-03T02:30", "Pacific/Auckland", "2027-10-02T13:30"),  # NZDT
        ("2027-04-04T02:30", "Pacific/Auckland", "2027-04-03T13:30"),  # twice: first, NZDT
        ("2027-04-11T02:30", "Pacific/Auckland", "2027-04-10T14:30"),  # NZST (+12)
        ("2027-11-07T01:30", "America/New_York", "2027-11-07T05:30"),  # twice: first, EDT
        ("2027-03-29T00:30", "Europe/London", "2027-03-28T23:30"),     # BST: Sunday in UTC
        ("2027-11-01T00:30", "Europe/London", "2027-11-01T00:30"),     # GMT
        ("2027-10-04T09:30", "Australia/Adelaide", "2027-10-03T23:00"),  # ACDT (+10:30)
    ]
    for wall, tz, want in cases:
        got = rfc5545_instant(datetime.datetime.fromisoformat(wall), tz)
        if got != utc(want):
            die(f"the test's own oracle is wrong: {wall} {tz} gave {got}, want {want}Z")


def week_date(start, weekday, week):
    """Week n of a slot: its weekday on or after the circle's start, plus n-1 weeks."""
    first = start + datetime.timedelta(days=(WEEKDAYS.index(weekday) - start.weekday()) % 7)
    return first + datetime.timedelta(weeks=week - 1)


def fmt_instant(t, tz):
    local = t.astimezone(zoneinfo.ZoneInfo(tz))
    return (f"{t.strftime('%Y-%m-%dT%H:%MZ')} ({local.strftime('%a %Y-%m-%d %H:%M')} "
            f"{local.tzname()} in {tz})")


def wall_note(wall, tz):
    """What RFC 5545 3.3.5 says of a wall time that does not exist or happens twice."""
    z = zoneinfo.ZoneInfo(tz)
    a, b = wall.replace(tzinfo=z, fold=0), wall.replace(tzinfo=z, fold=1)
    if a.utcoffset() == b.utcoffset():
        return ""
    back = a.astimezone(UTC).astimezone(z).replace(tzinfo=None)
    if back != wall:
        return (f" [{wall.strftime('%H:%M')} does not exist in {tz} that day: RFC 5545 reads "
                f"it with the offset before the gap, {back.strftime('%H:%M')}]")
    return (f" [{wall.strftime('%H:%M')} happens twice in {tz} that day: RFC 5545 means "
            "the first]")


class Group:
    def __init__(self, gid, label, slot):
        self.id, self.label, self.slot = gid, label, slot  # slot: "sunday 02:30"
        self.moved = {}         # week -> local wall datetime (naive, in the circle's zone)
        self.cancelled = set()  # weeks
        self.series_cancelled = False


class Model:
    """What the test expects, from what it asked for."""

    def __init__(self, spec):
        self.tz = spec["time_zone"]
        self.start = datetime.date.fromisoformat(spec["start_date"])
        self.weeks = spec["weeks"]
        self.groups = {}      # gid -> Group
        self.member_of = {}   # pid -> gid (active people only)
        self.withdrawn = set()

    def wall(self, g, week):
        if week in g.moved:
            return g.moved[week]
        day, hm = g.slot.split()
        d = week_date(self.start, day, week)
        h, m = map(int, hm.split(":"))
        return datetime.datetime(d.year, d.month, d.day, h, m)

    def calls(self, gid):
        """[(week, instant, note)] of a group's calls still on; the note says when the wall
        time does not exist or happens twice."""
        g = self.groups.get(gid)
        if g is None or g.series_cancelled:
            return []
        return [(w, rfc5545_instant(self.wall(g, w), self.tz), wall_note(self.wall(g, w), self.tz))
                for w in range(1, self.weeks + 1) if w not in g.cancelled]

    def week_of(self, t):
        """Which week an instant's date falls in, as " (week n by date)": the seven days from
        the start date plus n-1 weeks, where week n's calls are unless one was moved."""
        day = t.astimezone(zoneinfo.ZoneInfo(self.tz)).date()
        n = (day - self.start).days // 7 + 1
        return (f" (week {n} by date)" if 1 <= n <= self.weeks else
                " (outside the circle's weeks)")

    def person_calls(self, pid):
        return self.calls(self.member_of[pid]) if pid in self.member_of else []


# ---- the daemon --------------------------------------------------------------------------------

class Daemon:
    def __init__(self, mingle, work):
        self.db = os.path.join(work, "readers.db")
        r = subprocess.run([mingle, "token", "create", "--role", "coordinator", "--label",
                            "readers", "--db", self.db], capture_output=True, text=True)
        self.token = r.stdout.strip()
        if r.returncode != 0 or not self.token.startswith("mgt_"):
            die(f"mingle token create failed ({r.returncode}): {r.stderr}")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, MINGLE_MAILDIR=os.path.join(work, "maildir"),
                   MINGLE_OUTBOX_INTERVAL="1", MINGLE_BASE_URL=self.base)
        env.pop("MINGLE_SMTP_URL", None)
        self.log = open(os.path.join(work, "mingle.log"), "w")
        self.p = subprocess.Popen([mingle, "serve", "--port", str(port), "--db", self.db],
                                  env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if self.p.poll() is not None:
                die(f"mingle serve exited ({self.p.returncode}):\n" + open(self.log.name).read())
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.p.kill()
        die("mingle serve did not answer /healthz in 10 s")

    def call(self, method, path, body=None):
        data = None
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        except (urllib.error.URLError, ConnectionError) as e:
            self.gone(f"{method} {path}", e)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def get(self, url):
        try:
            with urllib.request.urlopen(url, timeout=30) as res:
                return res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except (urllib.error.URLError, ConnectionError) as e:
            self.gone(f"GET {url}", e)

    def gone(self, what, e):
        """The daemon stopped answering: say so with the end of its log."""
        self.log.flush()
        tail = open(self.log.name).read()[-3000:]
        state = (f"exited {self.p.poll()}" if self.p.poll() is not None
                 else "is not answering")
        die(f"{what}: {e}; mingle serve {state}; its log ends:\n{tail}")

    def outbox(self, circle_id):
        """(id, recipient, parts, iTIP document) of the circle's queued invitations, in order."""
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute("SELECT id, recipient, parts, message FROM outbox WHERE "
                               "circle_id = ? AND format = 'imip' ORDER BY id",
                               (circle_id,)).fetchall()
        finally:
            con.close()

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
        self.log.close()


# ---- the circles -------------------------------------------------------------------------------

CIRCLES = [
    {"key": "auckland-april", "time_zone": "Pacific/Auckland", "start_date": "2027-03-22",
     "weeks": 4, "slots": ["sunday 02:30", "tuesday 19:30"],
     # week 2 is Sunday 4 April, 02:30 twice; week 3 moves to the Saturday before
     "move": (3, "2027-04-10T19:30"), "cancel": (1, 4), "restore": 4,
     "new_zone": "Australia/Sydney"},
    {"key": "auckland-sept", "time_zone": "Pacific/Auckland", "start_date": "2027-09-26",
     "weeks": 4, "slots": ["sunday 02:30", "wednesday 18:00"],
     # week 1 is in the gap; week 2 cancelled stays cancelled (the 422)
     "move": (3, "2027-10-09T20:00"), "cancel": (2, 4), "restore": 4,
     "new_zone": "Australia/Brisbane"},
    {"key": "new-york-nov", "time_zone": "America/New_York", "start_date": "2027-10-25",
     "weeks": 4, "slots": ["sunday 01:30", "tuesday 19:00"],
     # week 2 is Sunday 7 November, 01:30 twice
     "move": (1, "2027-10-30T19:00"), "cancel": (3, 4), "restore": 3,
     "new_zone": "America/Chicago"},
    {"key": "london", "time_zone": "Europe/London", "start_date": "2027-03-15",
     "weeks": 34, "slots": ["monday 00:30", "thursday 19:00"],
     # Mondays 15 March to 1 November: BST from week 3 (29 March) to week 33 (25 October)
     "move": (3, "2027-03-31T00:30"), "cancel": (2, 33), "restore": 33,
     "new_zone": "Europe/Paris"},
    {"key": "adelaide", "time_zone": "Australia/Adelaide", "start_date": "2027-09-20",
     "weeks": 4, "slots": ["monday 09:30", "wednesday 19:00"],
     # ACST (+9:30) to ACDT (+10:30) on 3 October, between weeks 2 and 3
     "move": (2, "2027-09-29T12:00"), "cancel": (1, 3), "restore": 1,
     "new_zone": "Australia/Darwin"},
]

STEPS = ("created", "session move", "session cancel", "restore", "series move", "withdraw",
         "late joiner", "series cancel", "time-zone change")


class Failures:
    """Every difference, reported once: the same one for several people, readers or steps is
    one entry, and the weeks of one entry after the third are counted, not listed."""

    def __init__(self):
        self.items = {}  # (circle, step, what, reader, text) -> [who]

    def add(self, circle, step, what, reader, text, who):
        text = " ".join(text.split())  # one line, whatever a body held
        self.items.setdefault((circle, step, what, reader, text), []).append(who)

    def count(self):
        return len(self.items)

    def report(self):
        by_readers = {}
        for (circle, step, what, reader, text), who in self.items.items():
            by_readers.setdefault((circle, step, what, text, tuple(who)), []).append(reader)
        by_steps = {}
        for (circle, step, what, text, who), readers in by_readers.items():
            by_steps.setdefault((circle, what, text, who, tuple(readers)), []).append(step)
        by_what = {}
        for (circle, what, text, who, readers), steps in by_steps.items():
            by_what.setdefault((circle, tuple(steps), text, who, readers), []).append(what)
        entries = {}
        for (circle, steps, text, who, readers), whats in by_what.items():
            entries.setdefault((circle, steps, " and ".join(sorted(whats)), who, readers),
                               []).append(text)
        lines = []
        order = {c["key"]: i for i, c in enumerate(CIRCLES)}
        for (circle, steps, what, who, readers), texts in sorted(
                entries.items(), key=lambda e: (order.get(e[0][0], 99), STEPS.index(e[0][1][0])
                                                if e[0][1][0] in STEPS else -1, e[0][2])):
            rd = "all four readers" if len(readers) == 4 else ", ".join(readers)
            who = [w for w in who if w]
            people = ", ".join(who[:6]) + (f" and {len(who) - 6} more" if len(who) > 6 else "")
            people = f" ({people})" if people else ""
            when = f"after '{steps[0]}'"
            if len(steps) > 1:
                when += (" and every later step" if steps[-1] == STEPS[-1] and
                         len(steps) == len(STEPS) - STEPS.index(steps[0]) else
                         " and after " + ", ".join(f"'{x}'" for x in steps[1:]))
            shown = "; ".join(texts[:3])
            if len(texts) > 3:
                shown += f"; and {len(texts) - 3} more like it"
            lines.append(f"- {circle}, {what}{people} [{rd}], {when}: {shown}")
        return lines


class CircleRun:
    def __init__(self, daemon, expander, failures, spec):
        self.d, self.x, self.f, self.spec = daemon, expander, failures, spec
        self.key = spec["key"]
        self.model = Model(spec)
        self.people = {}    # pid -> name
        self.emails = {}    # pid -> email, lower case
        self.feeds = {}     # ("person"|"group", id) -> url
        self.step = "created"

    def fail(self, what, reader, text, who=""):
        self.f.add(self.key, self.step, what, reader, text, who)

    def must(self, status, doc, want, what):
        if status not in want:
            self.fail(what, "api", f"answered {status}: {json.dumps(doc)[:400]}")
            return False
        return True

    def base(self):
        return f"/api/v1/circles/{self.circle_id}"

    # -- building the circle
    def create(self):
        s = self.spec
        body = {"title": f"Readers {self.key}", "time_zone": s["time_zone"],
                "start_date": s["start_date"], "weeks": s["weeks"],
                "slots": [{"weekday": x.split()[0], "start": x.split()[1], "minutes": 60}
                          for x in s["slots"]],
                "group_size": {"min": 2, "max": 4},
                "video_url": "https://meet.example.org/readers",
                "organizer": {"name": "Coordinators", "email": "circles@example.org"}}
        st, doc = self.d.call("POST", "/api/v1/circles", body)
        if st != 201:
            die(f"{self.key}: creating the circle answered {st}: {doc}")
        self.circle_id = doc["id"]
        # F1 can make only the first slot (the one at the daylight-saving edge), so group A,
        # F1's, meets there; everyone else can make either slot.
        people = [{"name": f"F1 {self.key}", "email": f"f1.{self.key}@example.org",
                   "role": "facilitator", "slots": [s["slots"][0]]}]
        people += [{"name": f"F{i} {self.key}", "email": f"f{i}.{self.key}@example.org",
                    "role": "facilitator"} for i in (2, 3)]
        people += [{"name": f"P{i} {self.key}", "email": f"p{i}.{self.key}@example.org"}
                   for i in range(1, 7)]
        st, doc = self.d.call("POST", self.base() + "/participants", people)
        if st != 201:
            die(f"{self.key}: importing people answered {st}: {doc}")
        st, doc = self.d.call("POST", self.base() + "/groups/plan?seed=1")
        if st != 201:
            die(f"{self.key}: planning answered {st}: {doc}")
        st, doc = self.d.call("GET", self.base() + "/groups")
        groups = sorted(doc["groups"], key=lambda g: g["position"])
        if len(groups) != 3:
            die(f"{self.key}: the plan made {len(groups)} groups, the test needs three")
        a = next(g for g in groups if any(m["name"].startswith("F1 ") for m in g["members"]))
        b, c = [g for g in groups if g is not a]
        for label, g in (("A", a), ("B", b), ("C", c)):
            slot = f"{g['slot']['weekday']} {g['slot']['start']}"
            self.model.groups[g["id"]] = Group(g["id"], label, slot)
            for m in g["members"]:
                self.model.member_of[m["id"]] = g["id"]
                self.people[m["id"]] = m["name"]
                self.emails[m["id"]] = m["email"].lower()
        self.A, self.B, self.C = (self.model.groups[g["id"]] for g in (a, b, c))
        if self.A.slot != s["slots"][0]:
            die(f"{self.key}: group A meets {self.A.slot}, the test needs {s['slots'][0]}")
        for pid in self.people:
            self.make_feed("person", pid)
        for gid in self.model.groups:
            self.make_feed("group", gid)

    def make_feed(self, kind, ident):
        path = f"/participants/{ident}/feed" if kind == "person" else f"/groups/{ident}/feed"
        st, doc = self.d.call("POST", self.base() + path)
        if self.must(st, doc, (200, 201), f"making the {kind} feed of {ident}"):
            self.feeds[(kind, ident)] = doc["url"]

    def sync_members(self):
        """Who is in which group, as the groups list says (membership is the test's input,
        not the calls); withdrawn people are in none."""
        st, doc = self.d.call("GET", self.base() + "/groups")
        if not self.must(st, doc, (200,), "listing groups"):
            return
        withdrawn = self.model.withdrawn
        self.model.member_of = {}
        for g in doc["groups"]:
            if g["id"] not in self.model.groups:
                self.model.groups[g["id"]] = Group(
                    g["id"], f"opened {g['id']}", f"{g['slot']['weekday']} {g['slot']['start']}")
                self.make_feed("group", g["id"])
            for m in g["members"]:
                self.people.setdefault(m["id"], m["name"])
                self.emails.setdefault(m["id"], m["email"].lower())
                if m["id"] not in withdrawn:
                    self.model.member_of[m["id"]] = g["id"]

    # -- the changes
    def session_id(self, gid, week):
        st, doc = self.d.call("GET", self.base() + "/sessions")
        for s in doc.get("sessions", []) if st == 200 else []:
            if s["group_id"] == gid and s["week"] == week:
                return s["id"]
        self.fail("finding a session", "api", f"no session for group {gid} week {week} ({st})")
        return None

    def patch_session(self, gid, week, body, what):
        sid = self.session_id(gid, week)
        if sid is None:
            return False
        st, doc = self.d.call("PATCH", f"{self.base()}/sessions/{sid}", body)
        return self.must(st, doc, (200,), f"{what} (group {self.model.groups[gid].label}, "
                                          f"week {week}, {json.dumps(body)})")

    def change(self, step):
        self.step = step
        m, s, A = self.model, self.spec, self.A
        if step == "session move":
            week, wall = s["move"]
            if self.patch_session(A.id, week, {"start": wall}, "moving a call"):
                A.moved[week] = datetime.datetime.fromisoformat(wall)
        elif step == "session cancel":
            for week in s["cancel"]:
                if self.patch_session(A.id, week, {"status": "cancelled"}, "cancelling a call"):
                    A.cancelled.add(week)
        elif step == "restore":
            week = s["restore"]
            if self.patch_session(A.id, week, {"status": "confirmed"}, "restoring a call"):
                A.cancelled.discard(week)
        elif step == "series move":
            to = s["slots"][1] if self.B.slot == s["slots"][0] else s["slots"][0]
            st, doc = self.d.call("PATCH", f"{self.base()}/groups/{self.B.id}/series",
                                  {"slot": to})
            if self.must(st, doc, (200,), f"moving group B's series to {to}"):
                self.B.slot, self.B.moved = to, {}
        elif step == "withdraw":
            pid = next(p for p, g in m.member_of.items()
                       if g == A.id and self.people[p].startswith("P"))
            st, doc = self.d.call("POST", f"{self.base()}/participants/{pid}/withdraw")
            if self.must(st, doc, (200,), f"withdrawing {self.people[pid]}"):
                del m.member_of[pid]
                m.withdrawn.add(pid)
            self.sync_members()
        elif step == "late joiner":
            st, doc = self.d.call("POST", self.base() + "/participants",
                                  {"name": f"Late {self.key}",
                                   "email": f"late.{self.key}@example.org"})
            if self.must(st, doc, (200, 201), "adding a late joiner"):
                self.people[doc["id"]] = doc["name"]
                self.emails[doc["id"]] = doc["email"].lower()
                st, doc2 = self.d.call("POST", self.base() + "/groups/rebalance")
                self.must(st, doc2, (200, 201), "rebalancing for the late joiner")
                self.make_feed("person", doc["id"])
            self.sync_members()
        elif step == "series cancel":
            st, doc = self.d.call("PATCH", f"{self.base()}/groups/{self.C.id}/series",
                                  {"status": "cancelled"})
            if self.must(st, doc, (200,), "cancelling group C's series"):
                self.C.series_cancelled = True
        elif step == "time-zone change":
            new = s["new_zone"]
            st, doc = self.d.call("PATCH", self.base(), {"time_zone": new})
            if st == 200:
                m.tz = new
            elif st in (409, 422) and isinstance(doc, dict) and \
                    (doc.get("error") or {}).get("message"):
                say(f"  {self.key}: the change to {new} was refused: {doc['error']['message']}")
            else:
                self.fail(f"changing the time zone to {new}", "api",
                          f"answered {st} without a message: {json.dumps(doc)[:300]}")

    # -- the checks
    def compare(self, what, who, reader, got, want):
        """got: reader's "UID instant" strings; want: [(week, instant, note)]."""
        errs = [g for g in got if g.startswith("ERROR") or "FLOATING" in g or "DATE:" in g]
        if errs:
            self.fail(what, reader, errs[0][:300], who)
            return 1
        tz = self.model.tz
        got_t = sorted(datetime.datetime.strptime(g.split()[-1], "%Y-%m-%dT%H:%M:%SZ")
                       .replace(tzinfo=UTC) for g in got)
        left = list(got_t)
        missing = []
        for week, t, note in sorted(want, key=lambda x: x[1]):
            if t in left:
                left.remove(t)
            else:
                missing.append((week, t, note))
        bad = 0
        for week, t, note in missing:  # paired with the nearest extra within 3 days
            near = min(left, key=lambda x: abs(x - t), default=None)
            if near is not None and abs(near - t) <= datetime.timedelta(days=3):
                left.remove(near)
                self.fail(what, reader, f"week {week}: expected {fmt_instant(t, tz)}, "
                                        f"got {fmt_instant(near, tz)}{note}", who)
            else:
                self.fail(what, reader, f"week {week}: expected {fmt_instant(t, tz)}, "
                                        f"missing{note}", who)
            bad += 1
        for t in left:
            self.fail(what, reader, f"an unexpected call at {fmt_instant(t, tz)}"
                                    f"{self.model.week_of(t)}", who)
            bad += 1
        return bad

    def check_feeds(self):
        n = 0
        for (kind, ident), url in sorted(self.feeds.items()):
            if kind == "person":
                who = self.people[ident]
                want = self.model.person_calls(ident)
            else:
                who = f"group {self.model.groups[ident].label}"
                want = self.model.calls(ident)
            st, text = self.d.get(url)
            if st != 200:
                self.fail(f"the {kind} feed", "http", f"answered {st}: {text[:300]}", who)
                continue
            out, _ = self.x.expand(text)
            for r in READERS:
                self.compare(f"the {kind} feed", who, r, out[r], want)
            n += 1
        return n

    def check_invitations(self):
        """The latest message per person and UID: a REQUEST's instants stand, a CANCEL of the
        whole series removes them, an override alone (RECURRENCE-ID, no RRULE) changes one."""
        state = {}  # email -> uid -> {reader: set(instants)}
        for _, recipient, parts, message in self.d.outbox(self.circle_id):
            text = message.decode("utf-8") if isinstance(message, bytes) else message
            email = json.loads(parts or "{}").get("to_email", recipient).lower()
            unfolded = re.sub(r"\r?\n[ \t]", "", text)
            method = (re.search(r"(?m)^METHOD:(\S+)", unfolded) or [None, "?"])[1].upper()
            uid = (re.search(r"(?m)^UID:(.*?)\r?$", unfolded) or [None, "?"])[1]
            whole = "RRULE:" in unfolded or "RECURRENCE-ID" not in unfolded
            mine = state.setdefault(email, {})
            if method == "CANCEL" and whole:
                mine.pop(uid, None)
                continue
            out, _ = self.x.expand(text)
            if whole:
                mine[uid] = {r: set(out[r]) for r in READERS}
                continue
            rid = recurrence_ids(text)
            cur = mine.setdefault(uid, {r: set() for r in READERS})
            for r in READERS:
                cur[r] -= {f"{uid} {i}" for i in rid}
                if method != "CANCEL":
                    cur[r] |= set(out[r])
        n = 0
        for pid, name in sorted(self.people.items()):
            email = self.email_of(pid)
            mine = state.get(email, {})
            want = self.model.person_calls(pid)
            for r in READERS:
                got = sorted(i for per_uid in mine.values() for i in per_uid[r])
                self.compare("the invitations", name, r, got, want)
            n += 1
        return n

    def email_of(self, pid):
        return self.emails[pid]

    def check_sessions(self):
        """Second check: the sessions API against the same expectation."""
        st, doc = self.d.call("GET", self.base() + "/sessions")
        if not self.must(st, doc, (200,), "listing sessions"):
            return
        tz = self.model.tz
        for gid, g in self.model.groups.items():
            rows = {s["week"]: s for s in doc["sessions"] if s["group_id"] == gid}
            want = {w: t for w, t, _ in self.model.calls(gid)}
            for week in range(1, self.model.weeks + 1):
                s = rows.get(week)
                who = f"group {g.label}"
                if s is None:
                    self.fail("the sessions API", "sessions", f"week {week}: no session", who)
                    continue
                off = s["status"] == "cancelled"
                if off != (week not in want):
                    self.fail("the sessions API", "sessions",
                              f"week {week}: status {s['status']}, expected "
                              f"{'cancelled' if week not in want else 'confirmed'}", who)
                elif not off:
                    got = datetime.datetime.fromtimestamp(s["starts_at"], UTC)
                    if got != want[week]:
                        self.fail("the sessions API", "sessions",
                                  f"week {week}: expected {fmt_instant(want[week], tz)}, got "
                                  f"{fmt_instant(got, tz)} ('start' {s['start']})", who)

    def check_invites_post(self):
        """`POST .../invites` queues whatever the groups call for: after a change, which
        queues its own mail, it must answer 200 with nothing left to queue (one group's state
        never blocks a circle's mail)."""
        st, doc = self.d.call("POST", self.base() + "/invites")
        if not self.must(st, doc, (200,), "POST .../invites"):
            return
        if doc.get("queued"):
            self.fail("POST .../invites", "api", f"queued {doc['queued']} more invitations: "
                      "the change had not queued them itself")

    def check(self):
        before = self.f.count()
        self.check_sessions()
        feeds = self.check_feeds()
        people = self.check_invitations()
        self.check_invites_post()
        new = self.f.count() - before
        say(f"  {self.key}: {feeds} feeds and {people} people's invitations, 4 readers: "
            + ("all as expected" if new == 0 else f"{new} findings"))


def recurrence_ids(text):
    """The RECURRENCE-IDs of an instance-level iTIP message, as UTC strings (read with
    python icalendar; mingle sends whole series today, so this is rarely used)."""
    cal = icalendar.Calendar.from_ical(text.encode("utf-8"))
    return {utc_text(c.decoded("RECURRENCE-ID")) for c in cal.walk("VEVENT")
            if c.get("RECURRENCE-ID") is not None}


def main():
    if len(sys.argv) < 2:
        die("usage: readers.py PATH/TO/mingle [PATH/TO/node]")
    mingle, node = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "node")
    if not os.access(mingle, os.X_OK):
        die(f"no mingle binary at {mingle}")
    oracle_self_check()
    work = tempfile.mkdtemp(prefix="mingle-readers-")
    keep = os.environ.get("READERS_KEEP")
    expander = daemon = None
    failures = Failures()
    try:
        expander = Expander(node, work)
        daemon = Daemon(mingle, work)
        runs = [CircleRun(daemon, expander, failures, spec) for spec in CIRCLES]
        for step in STEPS:
            say(f"after '{step}'")
            for run in runs:
                if step == "created":
                    run.create()
                else:
                    run.change(step)
                run.check()
    finally:
        if daemon:
            daemon.stop()
        if expander:
            expander.js.close()
        if keep:
            say(f"kept {work} (READERS_KEEP): the database, mingle.log and every document read")
        else:
            shutil.rmtree(work, ignore_errors=True)
    say(f"{len(expander.cache)} distinct documents expanded")
    if failures.count():
        lines = failures.report()
        print(f"\nFAIL: {len(lines)} differences between mingle's calendars and the "
              "expectation, each as: circle, what (who) [readers], after which changes: "
              "week, expected instant, what the readers got (UTC, then the wall time in the "
              "circle's zone)")
        print("\n".join(lines))
        sys.exit(1)
    print("every feed and invitation, read by all four readers, is as expected")


if __name__ == "__main__":
    main()
