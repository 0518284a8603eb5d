#!/usr/bin/env python3
"""The case loop's reliability on one database (a SpatiaLite file or a PostgreSQL URL), through the HTTP API of
`urbangrid serve DB --enable-cases` (access log on), as Tools/check-cases.sh runs it on both engines:

A. Concurrent writers: --writers threads for --seconds mix every transition of the contract (verify, file, void,
   dispatch, return, handle, check, park, unpark, extend) and new reports on one shared set of cases, each as the
   role that may act (and sometimes one that may not), a third of them with `If-Match` of the last version seen.
   Afterwards, for every case: its events replay to its final state (the first is the report, each event starts
   where the previous ended, the last ends at `status`, `version` == number of events, `rework_count` == failed
   checks), and per case and action the events equal the 2xx answers the writers got (no transition lost or
   duplicated). No 5xx, no request without an answer.
B. SIGKILL during a burst of reports, --rounds rounds: --burst-clients clients report cases with a unique
   `Idempotency-Key` and a marker in the description; the server is killed (SIGKILL) 0.2–1.2 s into the burst and
   started again. Every request that got no answer is sent again with its key after the restart. Then, read
   straight from the database (sqlite3 / psql, not through the service): every marker that got a 201 exists
   exactly once with the id of that answer, and every marker exactly once in all; every case has its report event
   and every event its case; every stored key names a stored case (SpatiaLite: `PRAGMA integrity_check` too).
C. Security: a client sending bad tokens gets 401 --failure-limit times, then 429 (a valid token too, from that
   client); no token (the users' and the bad ones) appears in any server log of the run.
Prints a summary line per part and a JSON line of figures; exits 1 on any failure.
    python3 Tools/check/case_check.py --bin DIR --db DB --work DIR [--writers 100] [--seconds 60] [--rounds 20]
"""
import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HELSINKI = (24.9348163, 60.1639755, 24.9537735, 60.179287)
CLASSES = [("component", "0101"), ("component", "02"), ("component", "0301"), ("event", "0101"), ("event", "05")]
DEPARTMENTS = ["municipal", "water", "power", "telecom", "traffic", "sanitation", "landscaping", "enforcement", "street-1", "street-2"]
ACTIONS = {  # action: role that may take it
    "verify": "supervisor", "file": "shift_leader", "void": "shift_leader", "dispatch": "dispatcher", "return": "department",
    "handle": "department", "check": "supervisor", "park": "shift_leader", "unpark": "shift_leader", "extend": "shift_leader",
}

LEGAL = {"verifying": ["verify"], "reported": ["file", "file", "file", "void"], "filed": ["dispatch", "dispatch", "dispatch", "void"],
         "dispatched": ["handle", "handle", "return", "park", "extend"], "handled": ["check"], "parked": ["unpark"]}

failures = []


def fail(msg):
    failures.append(msg)
    print(f"case-check: FAIL {msg}", file=sys.stderr, flush=True)


def log(msg):
    print(f"case-check: {msg}", file=sys.stderr, flush=True)


class Server:
    """`urbangrid serve DB --enable-cases --port 0`, its log in the work folder (one file per start)."""

    def __init__(self, a):
        self.a, self.starts, self.proc, self.port = a, 0, None, None

    def start(self):
        self.starts += 1
        self.log_path = os.path.join(self.a.work, f"serve-{self.a.label}-{self.starts}.log")
        self.proc = subprocess.Popen([os.path.join(self.a.bin, "urbangrid"), "serve", self.a.db, "--enable-cases", "--port", "0"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"), env={**os.environ, "URBANGRID_LOG": "info"})
        deadline = time.time() + 300
        while time.time() < deadline:
            text = open(self.log_path, errors="replace").read()
            if self.proc.poll() is not None:
                sys.exit(f"case-check: serve exited: {text[-2000:]}")
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
            if m and "query indexes ready" in text:
                self.port = int(m.group(1))
                return
            time.sleep(0.05)
        sys.exit("case-check: serve did not get ready in 300 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def logs(self):
        return [os.path.join(self.a.work, f"serve-{self.a.label}-{i}.log") for i in range(1, self.starts + 1)]


class Client:
    """One keep-alive connection; `call` returns (status, headers, JSON or None), or raises OSError/HTTPException."""

    def __init__(self, port, timeout=60):
        self.port, self.timeout, self.conn = port, timeout, None

    def call(self, method, path, token=None, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return r.status, dict(r.getheaders()), doc


def ug(a, *args):
    return subprocess.run([os.path.join(a.bin, "urbangrid"), *args], check=True, capture_output=True, text=True).stdout


def setup(a):
    """Reference tables and one user per role (a department user per department); returns {name: token}."""
    for table in ("departments", "routing", "limits"):
        ug(a, "import", a.db, "--layer", table, os.path.join(ROOT, "GeoData", "cases", f"{table}.csv"))
    departments = [line.split(",")[0] for line in open(os.path.join(ROOT, "GeoData", "cases", "departments.csv")).read().split("\n")[1:] if line]
    users = [("supervisor", "supervisor", None), ("operator", "operator", None), ("shift_leader", "shift_leader", None),
             ("dispatcher", "dispatcher", None), ("admin", "admin", None)] + [(f"dept-{d}", "department", d) for d in departments]
    tokens = {}
    for name, role, dept in users:
        args = ["users", "add", a.db, "--name", name, "--role", role, "--format", "json"] + (["--department", dept] if dept else [])
        tokens[name] = json.loads(ug(a, *args))["token"]
    return tokens, departments


def spot(rng):
    w, s, e, n = HELSINKI
    return round(w + rng.random() * (e - w), 7), round(s + rng.random() * (n - s), 7)


def report_body(rng, source, marker):
    kind, code = rng.choice(CLASSES)
    lon, lat = spot(rng)
    return {"source": source, "kind": kind, "class_code": code, "lon": lon, "lat": lat, "description": marker}


# MARK: A

def part_a(a, server, tokens, departments):
    rng = random.Random(a.seed)
    ids, lock = [], threading.Lock()
    version, dept, status = {}, {}, {}  # last seen per case (hints for the action, If-Match and the department user)
    ok = defaultdict(Counter)  # case id -> action -> 2xx answers
    codes, errors, reports, done = Counter(), Counter(), Counter(), Counter()
    c0 = Client(server.port)
    for i in range(a.initial_cases):
        source = "supervisor" if i % 3 else "hotline"
        st, _, doc = c0.call("POST", "/cases", tokens["supervisor" if source == "supervisor" else "operator"],
                             report_body(rng, source, f"A-initial-{i}"), {"Idempotency-Key": f"A-initial-{a.label}-{i}"})
        if st != 201:
            sys.exit(f"case-check: the initial report answered {st}: {doc}")
        ids.append(doc["id"])
        version[doc["id"]], dept[doc["id"]], status[doc["id"]] = doc["version"], doc["department_id"], doc["status"]
        reports[doc["id"]] += 1
    stop = time.time() + a.seconds

    def writer(w):
        r = random.Random(a.seed * 1000 + w)
        c = Client(server.port)
        n = 0
        while time.time() < stop:
            n += 1
            if r.random() < 0.08:  # a new report joins the set
                source = r.choice(["supervisor", "hotline"])
                key = f"A-{a.label}-{w}-{n}"
                try:
                    st, _, doc = c.call("POST", "/cases", tokens["supervisor" if source == "supervisor" else "operator"],
                                        report_body(r, source, key), {"Idempotency-Key": key})
                except (OSError, http.client.HTTPException) as e:
                    errors[type(e).__name__] += 1
                    continue
                codes[st] += 1
                if st == 201:
                    with lock:
                        ids.append(doc["id"])
                        version[doc["id"]], dept[doc["id"]], status[doc["id"]] = doc["version"], doc["department_id"], doc["status"]
                        reports[doc["id"]] += 1
                continue
            with lock:
                open_ids = [i for i in ids[-400:] if status.get(i) in LEGAL]
                cid = r.choice(open_ids) if open_ids and r.random() < 0.9 else r.choice(ids)
                v, d, s = version.get(cid), dept.get(cid), status.get(cid)
            # mostly an action the case's last seen status allows (others race to it too), else any action
            action = r.choice(LEGAL[s]) if s in LEGAL and r.random() < 0.75 else r.choice(list(ACTIONS))
            role = ACTIONS[action] if r.random() < 0.9 else r.choice(list(ACTIONS.values()))
            if role == "department":
                user = f"dept-{d}" if d in departments and r.random() < 0.9 else f"dept-{r.choice(departments)}"
            else:
                user = role
            body = {"verify": lambda: {"confirmed": r.random() < 0.85}, "void": lambda: {"note": "void"},
                    "dispatch": lambda: ({"department_id": r.choice(departments)} if r.random() < 0.3 else {}),
                    "return": lambda: {"note": "not ours"}, "handle": lambda: {"note": "done"},
                    "check": lambda: {"passed": r.random() < 0.7, "note": "checked"}, "extend": lambda: {"work_hours": 2}}.get(action, lambda: None)()
            headers = {"If-Match": f'"{v}"'} if v and r.random() < 0.33 else {}
            try:
                st, _, doc = c.call("POST", f"/cases/{cid}/{action}", tokens[user], body, headers)
            except (OSError, http.client.HTTPException) as e:
                errors[type(e).__name__] += 1
                continue
            codes[st] += 1
            if 200 <= st < 300:
                with lock:
                    ok[cid][action] += 1
                    if doc and doc["version"] > version.get(cid, 0):
                        version[cid], dept[cid], status[cid] = doc["version"], doc["department_id"], doc["status"]
                    done[action] += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(a.writers)]
    t = time.time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.time() - t
    requests = sum(codes.values())
    five = sum(n for st, n in codes.items() if st >= 500)
    if five:
        fail(f"A: {five} answers 5xx")
    if errors:
        fail(f"A: requests without an answer: {dict(errors)}")
    # the final state of every case, replayed from its events
    admin = Client(server.port)
    transitions, lost, duplicated, bad = 0, 0, 0, 0
    statuses = Counter()
    for cid in ids:
        st, _, doc = admin.call("GET", f"/cases/{cid}", tokens["admin"])
        if st != 200:
            fail(f"A: GET /cases/{cid} answered {st}")
            continue
        events = doc["events"]
        statuses[doc["status"]] += 1
        problems = []
        if not events or events[0]["action"] != "report" or events[0]["from"] is not None:
            problems.append("the first event is not its report")
        for prev, e in zip(events, events[1:]):
            if e["from"] != prev["to"]:
                problems.append(f"event {e['action']} starts at {e['from']}, the previous ended at {prev['to']}")
        if events and events[-1]["to"] != doc["status"]:
            problems.append(f"the last event ends at {events[-1]['to']}, the case is {doc['status']}")
        if doc["version"] != len(events):
            problems.append(f"version {doc['version']} with {len(events)} events")
        if doc["rework_count"] != sum(1 for e in events if e["action"] == "check" and e["to"] == "dispatched"):
            problems.append(f"rework_count {doc['rework_count']} does not match its failed checks")
        seen = Counter(e["action"] for e in events[1:])
        if seen.get("report"):
            problems.append("a second report event")
        transitions += sum(seen.values())
        for action in set(seen) | set(ok[cid]):
            d = seen.get(action, 0) - ok[cid].get(action, 0)
            if d < 0:
                lost += -d
                problems.append(f"{-d} {action} answered 2xx but not in the events")
            elif d > 0:
                duplicated += d
                problems.append(f"{d} {action} in the events without a 2xx answer")
        if reports[cid] != 1:
            problems.append(f"reported {reports[cid]} times")
        if problems:
            bad += 1
            if bad <= 10:
                fail(f"A: case {cid}: " + "; ".join(problems))
    if bad:
        fail(f"A: {bad} of {len(ids)} cases do not replay to their state")
    log(f"A ({a.label}): {a.writers} writers, {elapsed:.0f} s, {requests} requests ({requests / elapsed:.0f}/s), answers "
        f"{dict(sorted(codes.items()))}, {len(ids)} cases ({dict(statuses)}), {transitions} transitions in the events: "
        f"{lost} lost, {duplicated} duplicated, {five} 5xx, {sum(errors.values())} unanswered; 2xx per action {dict(sorted(done.items()))}")
    if set(done) != set(ACTIONS):
        fail(f"A: transitions never taken: {sorted(set(ACTIONS) - set(done))}")
    return {"writers": a.writers, "seconds": round(elapsed), "requests": requests, "codes": {str(k): v for k, v in sorted(codes.items())},
            "cases": len(ids), "transitions": transitions, "lost": lost, "duplicated": duplicated, "bad_cases": bad, "five_xx": five,
            "unanswered": sum(errors.values()), "per_action": dict(sorted(done.items()))}


# MARK: B

def sql(a, query):
    if a.db.startswith("postgres"):
        u = urllib.parse.urlsplit(a.db)
        out = subprocess.run(["psql", "-X", "-At", "-F", "|", "-h", os.environ["URBANGRID_PG_SOCKET"], "-p", os.environ["URBANGRID_PG_PORT"],
                              "-U", "postgres", "-d", u.path.lstrip("/"), "-c", query], check=True, capture_output=True, text=True).stdout
    else:
        out = subprocess.run(["sqlite3", a.db, query], check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


def part_b(a, server, tokens):
    rng = random.Random(a.seed + 1)
    sent = {}  # key -> body
    answered = {}  # key -> case id (201)
    unanswered = set()
    other = Counter()
    kill_delays, retried, cut = [], 0, Counter()
    for rnd in range(a.rounds):
        if server.proc is None or server.proc.poll() is not None:
            server.start()
        # the keys left without an answer by the last kill, sent again first
        c = Client(server.port)
        retried += len(unanswered)
        for key in sorted(unanswered):
            st, h, doc = c.call("POST", "/cases", tokens["supervisor"], sent[key], {"Idempotency-Key": key})
            if st != 201:
                fail(f"B: the key {key} sent again after the restart answered {st}: {doc}")
                continue
            answered[key] = doc["id"]
        unanswered.clear()
        stop = threading.Event()
        lock = threading.Lock()

        def burst(t):
            r = random.Random(a.seed * 7919 + rnd * 100 + t)
            cl = Client(server.port, timeout=30)
            n = 0
            while not stop.is_set():
                n += 1
                key = f"B-{a.label}-{rnd}-{t}-{n}"
                body = report_body(r, "supervisor", key)
                with lock:
                    sent[key] = body
                try:
                    st, _, doc = cl.call("POST", "/cases", tokens["supervisor"], body, {"Idempotency-Key": key})
                except ConnectionRefusedError:
                    with lock:
                        del sent[key]  # never reached a server: the kill came first
                    return
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        unanswered.add(key)
                        cut[type(e).__name__] += 1
                    if stop.is_set() or server.proc.poll() is not None:
                        return
                    continue
                with lock:
                    if st == 201:
                        answered[key] = doc["id"]
                    else:
                        other[st] += 1
                        unanswered.add(key) if st >= 500 else None

        threads = [threading.Thread(target=burst, args=(t,)) for t in range(a.burst_clients)]
        for th in threads:
            th.start()
        delay = rng.uniform(0.2, 1.2)
        kill_delays.append(delay)
        time.sleep(delay)
        server.kill()
        stop.set()
        for th in threads:
            th.join()
    server.start()
    c = Client(server.port)
    retried += len(unanswered)
    for key in sorted(unanswered):
        st, _, doc = c.call("POST", "/cases", tokens["supervisor"], sent[key], {"Idempotency-Key": key})
        if st == 201:
            answered[key] = doc["id"]
        else:
            fail(f"B: the key {key} sent again after the restart answered {st}")
    # what the database holds (read directly)
    stored = defaultdict(list)
    for cid, desc in sql(a, "SELECT id, description FROM cases WHERE description LIKE 'B-%'"):
        stored[desc].append(cid)
    missing = [k for k in answered if len(stored.get(k, [])) == 0]
    twice = [k for k, v in stored.items() if len(v) > 1]
    wrong = [k for k in answered if len(stored.get(k, [])) == 1 and stored[k][0] != answered[k]]
    unknown = [k for k in stored if k not in sent]
    orphans = int(sql(a, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_pk = c.pk AND e.action = 'report')")[0][0])
    events_without_case = int(sql(a, "SELECT count(*) FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.pk = e.case_pk)")[0][0])
    keys_without_case = int(sql(a, "SELECT count(*) FROM case_requests r WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.case_id)")[0][0])
    bad_versions = int(sql(a, "SELECT count(*) FROM cases c WHERE version <> (SELECT count(*) FROM case_events e WHERE e.case_pk = c.pk)")[0][0])
    integrity = "ok" if a.db.startswith("postgres") else sql(a, "PRAGMA integrity_check")[0][0]
    for what, items in (("with a 201 but not stored", missing), ("stored more than once", twice), ("stored under another id than answered", wrong),
                        ("stored but never sent", unknown)):
        if items:
            fail(f"B: {len(items)} reports {what}: {items[:5]}")
    for what, n in (("cases without their report event", orphans), ("events without their case", events_without_case),
                    ("idempotency keys naming no case", keys_without_case), ("cases whose version is not their event count", bad_versions)):
        if n:
            fail(f"B: {n} {what}")
    if integrity != "ok":
        fail(f"B: integrity_check: {integrity}")
    log(f"B: requests cut off: {dict(cut)}")
    if other:
        log(f"B: answers other than 201 during the bursts: {dict(other)}")
    if any(st >= 500 for st in other):
        fail(f"B: 5xx during the bursts: {dict(other)}")
    log(f"B ({a.label}): {a.rounds} SIGKILL rounds ({min(kill_delays):.2f}–{max(kill_delays):.2f} s into a burst of {a.burst_clients} clients), "
        f"{len(sent)} reports sent, {retried} cut off by the kill and sent again after the restart with their key, {len(answered)} answered 201 in all, "
        f"stored exactly once: {len(answered) - len(missing) - len(wrong)}, lost {len(missing)}, twice {len(twice)}, half-applied {orphans + bad_versions}")
    return {"rounds": a.rounds, "sent": len(sent), "answered_201": len(answered), "retried": retried, "lost": len(missing), "duplicated": len(twice),
            "half_applied": orphans + bad_versions + events_without_case + keys_without_case}


# MARK: C

def part_c(a, server, tokens):
    c = Client(server.port)
    bad = [f"ug_{random.Random(a.seed + i).getrandbits(64):016x}_{random.Random(a.seed - i).getrandbits(256):064x}" for i in range(a.failure_limit + 2)]
    got = []
    for t in bad:
        st, _, _ = c.call("GET", "/cases?limit=1", t)
        got.append(st)
    st_valid, _, _ = c.call("GET", "/cases?limit=1", tokens["admin"])
    want = [401] * a.failure_limit + [429, 429]
    if got != want or st_valid != 429:
        fail(f"C: bad tokens answered {got} and then a valid token {st_valid} (expected {want} and 429)")
    server.stop()
    texts = [open(p, errors="replace").read() for p in server.logs()]
    leaked = []
    for name, token in list(tokens.items()) + [(f"bad{i}", t) for i, t in enumerate(bad)]:
        secret = token.rsplit("_", 1)[-1]
        if any(token in t or secret in t for t in texts):
            leaked.append(name)
    if leaked:
        fail(f"C: tokens found in the server logs: {leaked}")
    lines = sum(t.count("\n") for t in texts)
    log(f"C ({a.label}): bad tokens answered {Counter(got)}, then a valid token from that client {st_valid}; "
        f"{len(tokens) + len(bad)} tokens searched in {len(texts)} server logs ({lines} lines, access log on): {len(leaked)} found")
    return {"bad_token_codes": got, "valid_after": st_valid, "logs": len(texts), "log_lines": lines, "tokens_in_logs": len(leaked)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--label", default="db")
    ap.add_argument("--writers", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--initial-cases", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--burst-clients", type=int, default=16)
    ap.add_argument("--failure-limit", type=int, default=10, help="bad tokens before 429 (TokenCheck.failureLimit)")
    ap.add_argument("--seed", type=int, default=20261207)
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    tokens, departments = setup(a)
    server = Server(a)
    figures = {"engine": a.label}
    try:
        server.start()
        figures["a"] = part_a(a, server, tokens, departments)
        figures["b"] = part_b(a, server, tokens)
        figures["c"] = part_c(a, server, tokens)
    finally:
        server.stop()
    print(json.dumps(figures), flush=True)
    if failures:
        log(f"{a.label}: {len(failures)} failures")
        sys.exit(1)


if __name__ == "__main__":
    main()
