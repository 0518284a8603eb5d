#!/usr/bin/env python3
"""The case loop's speed (issue 18), in one run: case intake through `urbangrid serve --enable-cases` on PostgreSQL
and on SpatiaLite under wrk, against PostGIS alone doing the same writes through pgbench; and assessment over
N generated cases (default 1,000,000) per grouping on both engines. Prints JSON lines, the ratios and a markdown
table (--markdown FILE also writes it).

The city: the Helsinki demo (Tools/demo.sh: 230 cells of 100 m, 4,612 street segments, synthetic admin codes
999901…) with GeoData/cases' departments, routing and limits, and a supervisor whose token wrk sends.

1. Intake: `POST /cases` by wrk (-t2, --connections, default 32; --seconds, default 20, after a 3 s warm-up): a
   supervisor report of a component or event class at a uniformly random spot of the demo extent, a unique
   `Idempotency-Key` per request (run tag, thread, counter), the access log off. Every answer must be 201 and the
   cases table must grow by exactly the number of 201s. The service: `serve URL --enable-cases` (`--connections` and
   `--writers`: --serve-connections, default 16) on PostgreSQL, and `serve FILE --enable-cases` (one writer) on
   SpatiaLite.
   The anchor: pgbench (-M prepared, the same clients, -j 2, loopback TCP as wrk uses) running one statement that
   makes the same three rows a report makes — the case (its grid, community, street and district from an
   `ST_Contains` join of the point with the GiST-indexed `grids`), its report event and its idempotency key — in
   the same `cases`, `case_events` and `case_requests` tables of the same database, right after our run. What our
   report does more: token check, JSON parsing and answer, the full lookup (chief, nearest segment), routing and
   the deadline's clock, the key check before the insert.
2. Assessment: N cases spread over 2026 (seeded: sources, kinds, classes, statuses with consistent times,
   deadlines of 4 work hours to 10 days, 10 % rework, 5 % extended, 60 supervisors) loaded by COPY into a fresh
   copy of the city on PostgreSQL (then VACUUM ANALYZE, as autovacuum would) and by sqlite3 into a copy of the
   file; `urbangrid assess DB --by G --from 2026-01-01 --to 2027-01-01 --format json` timed start to exit
   (median of --repeat runs) for every grouping, on both engines, and the two answers compared (must be equal).
   Target: < 1 s per grouping.

The cluster: an already started one when URBANGRID_PG_DIR/_SOCKET/_PORT/_URL are set (Tools/pg-cluster.sh start
output), else Tools/pg-cluster.sh in --pg-dir (stopped and removed at the end); `--pg-settings durable` (default)
turns fsync, synchronous_commit and full_page_writes on for the run (Tools/pg-cluster.sh starts with them off).
Needs wrk, pgbench (postgresql-client-15), sqlite3: Debian packages, installed by Tools/case-bench.sh through
Tools/install-deps.sh.
    python3 Tools/bench/case_bench.py [--bin .build/release] [--seconds 20] [--connections 32] [--cases 1000000]
                                      [--skip-intake] [--skip-assess] [--work out/case-bench] [--keep]
"""
import argparse
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

# GeoData/helsinki/boundary.geojson's bounding box (the demo extent)
HELSINKI = (24.9348163, 60.1639755, 24.9537735, 60.179287)
CLASSES = [("component", "0101"), ("component", "0105"), ("component", "02"), ("component", "0301"), ("component", "04"),
           ("event", "0101"), ("event", "02"), ("event", "0501"), ("event", "03")]
GROUPINGS = ["grid", "street", "district", "department", "supervisor"]


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# MARK: the cluster

class Cluster:
    """The PostgreSQL cluster: the one named by URBANGRID_PG_* when set, else a new one (stopped at the end)."""

    def __init__(self, a):
        self.script = os.path.join(ROOT, "Tools", "pg-cluster.sh")
        self.owned = "URBANGRID_PG_URL" not in os.environ
        if self.owned:
            self.dir = os.path.abspath(a.pg_dir)
            out = run([self.script, "start", self.dir] + ([str(a.pg_port)] if a.pg_port else []), capture_output=True, text=True).stdout
            env = {k: shlex.split(v)[0] for k, v in re.findall(r"export (\w+)=(\S+)", out)}
        else:
            env = os.environ
        self.dir = env["URBANGRID_PG_DIR"]
        self.socket, self.port = env["URBANGRID_PG_SOCKET"], env["URBANGRID_PG_PORT"]
        url = urllib.parse.urlsplit(env["URBANGRID_PG_URL"])
        self.user, self.password = url.username, urllib.parse.unquote(url.password)
        if a.pg_settings == "durable":
            self.psql("postgres", "ALTER SYSTEM SET fsync = on", "ALTER SYSTEM SET synchronous_commit = on",
                      "ALTER SYSTEM SET full_page_writes = on", "SELECT pg_reload_conf()")
            time.sleep(0.5)
        self.settings = self.psql("postgres", "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN "
                                  "('fsync','synchronous_commit','full_page_writes','shared_buffers','max_connections')").strip()
        self.version = self.psql("postgres", "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version()").strip()
        log(f"PostgreSQL {self.version} on 127.0.0.1:{self.port}: {self.settings}")

    def psql(self, db, *sql, stdin=None):
        cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.socket, "-p", self.port, "-U", "postgres", "-d", db]
        for s in sql:
            cmd += ["-c", s]
        return run(cmd, capture_output=stdin is None, stdin=stdin, text=stdin is None,
                   env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}).stdout

    def createdb(self, name):
        return run([self.script, "createdb", self.dir, name], capture_output=True, text=True).stdout.strip()

    def stop(self, a):
        if a.pg_settings == "durable":  # the test settings back (the cluster may be someone's test cluster)
            self.psql("postgres", "ALTER SYSTEM RESET fsync", "ALTER SYSTEM RESET synchronous_commit",
                      "ALTER SYSTEM RESET full_page_writes", "SELECT pg_reload_conf()")
        if self.owned:
            run([self.script, "stop", self.dir, "--remove"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# MARK: the city

def ug(a, *args, capture=True):
    return run([os.path.join(a.bin, "urbangrid"), *args], capture_output=capture, text=True).stdout


def city(a):
    """The demo city with the case tables (built once per work folder)."""
    db = os.path.join(a.work, "demo.sqlite")
    if not os.path.exists(db):
        t = time.perf_counter()
        run([os.path.join(ROOT, "Tools", "demo.sh"), db], env={**os.environ, "URBANGRID": os.path.join(a.bin, "urbangrid")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log(f"demo city in {time.perf_counter() - t:.1f} s")
    return db


def prepare_cases(a, db, user):
    """The reference tables and a supervisor; returns its token."""
    for table in ("departments", "routing", "limits"):
        ug(a, "import", db, "--layer", table, os.path.join(ROOT, "GeoData", "cases", f"{table}.csv"))
    return json.loads(ug(a, "users", "add", db, "--name", user, "--role", "supervisor", "--format", "json"))["token"]


def case_count(a, c, db):
    if db.startswith("postgres"):
        return int(c.psql(urllib.parse.urlsplit(db).path.lstrip("/"), "SELECT count(*) FROM cases"))
    return int(run(["sqlite3", db, "SELECT count(*) FROM cases"], capture_output=True, text=True).stdout)


# MARK: 1: intake

def start_serve(a, db, log_path, extra):
    from service_bench import free_port
    port = free_port()
    server = subprocess.Popen([os.path.join(a.bin, "urbangrid"), "serve", db, "--enable-cases", "--port", str(port)] + extra,
                              stdout=subprocess.DEVNULL, stderr=open(log_path, "w"), env={**os.environ, "URBANGRID_LOG": "notice"})
    deadline = time.perf_counter() + 300
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            sys.exit(f"urbangrid serve {db} exited: {open(log_path).read()[-2000:]}")
        if "query indexes ready" in open(log_path).read():
            return server, port
        time.sleep(0.05)
    server.terminate()
    sys.exit(f"urbangrid serve {db}: not ready in 300 s")


WRK_LUA = r"""
-- a supervisor's report per request, at a random spot, with a unique Idempotency-Key
-- tid is a global: setup() sets it in each thread's own Lua state
counter, tid, replayed = 0, 0, 0
local tag = "%(tag)s"
local threads = {}
local classes = {%(classes)s}
function setup(thread) thread:set("tid", tid); tid = tid + 1; table.insert(threads, thread) end
function init(args) math.randomseed(20261207 + tid); codes = {} end
function request()
  counter = counter + 1
  local k = classes[counter %% #classes + 1]
  local body = string.format('{"source":"supervisor","kind":"%%s","class_code":"%%s","lon":%%.7f,"lat":%%.7f,"description":"bench %%s-%%d-%%d"}',
    k[1], k[2], %(w)r + math.random() * %(dx)r, %(s)r + math.random() * %(dy)r, tag, tid, counter)
  return wrk.format("POST", "/cases", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s",
                                       ["Idempotency-Key"] = string.format("%%s-%%d-%%d", tag, tid, counter)}, body)
end
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if headers["Idempotent-Replayed"] then replayed = replayed + 1 end
end
function done(summary, latency, requests)
  local all, again = {}, 0
  for _, t in ipairs(threads) do
    again = again + t:get("replayed")
    for status, n in pairs(t:get("codes")) do all[tostring(status)] = (all[tostring(status)] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(all) do table.insert(parts, string.format('"%%s": %%d', status, n)) end
  io.write(string.format('JSON {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, "replayed": %%d, "codes": {%%s}}\n',
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, again, table.concat(parts, ", ")))
end
"""


def wrk(a, port, token, tag, seconds):
    w, s, e, n = HELSINKI
    classes = ", ".join(f'{{"{k}", "{c}"}}' for k, c in CLASSES)
    lua = os.path.join(a.work, f"report-{tag}.lua")
    open(lua, "w").write(WRK_LUA % {"tag": tag, "classes": classes, "w": w, "s": s, "dx": e - w, "dy": n - s, "token": token})
    out = run(["wrk", "-t", "2", "-c", str(a.connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency", "-s", lua,
               f"http://127.0.0.1:{port}"], capture_output=True, text=True).stdout
    m = json.loads(re.search(r"JSON (\{.*\})", out).group(1))
    return {"requests_per_s": round(m["requests"] / (m["duration_us"] / 1e6)), "p50_ms": m["p50_us"] / 1000, "p99_ms": m["p99_us"] / 1000,
            "max_ms": m["max_us"] / 1000, "requests": m["requests"], "codes": m["codes"], "socket_errors": m["socket_errors"], "replayed": m["replayed"]}


def intake(a, c, db, label, extra):
    token = prepare_cases(a, db, f"bench-{label}")
    server, port = start_serve(a, db, os.path.join(a.work, f"serve-{label}.log"), extra)
    try:
        wrk(a, port, token, f"warm{label}", 3)
        time.sleep(1)  # the warm-up's requests still in flight when wrk stopped land first
        before = case_count(a, c, db)
        r = wrk(a, port, token, f"run{label}", a.seconds)
        time.sleep(1)
        after = case_count(a, c, db)
    finally:
        server.terminate()
        server.wait()
    r.update(engine=f"urbangrid serve --enable-cases ({label})", created=after - before)
    created = r["codes"].get("201", 0)
    # wrk stops at its deadline without waiting for the requests in flight (at most one per connection): those are
    # stored without an answer counted
    r["ok"] = (created == r["requests"] and r["socket_errors"] == 0 and r["replayed"] == 0
               and created <= after - before <= created + a.connections)
    if not r["ok"]:
        log(f"intake on {label}: {r['codes']}, {r['socket_errors']} socket errors, {after - before} cases stored for {created} answers 201")
    return r


PGBENCH_SQL = r"""\set x random(0, 999999999)
\set y random(0, 999999999)
\set k random(1, 9)
WITH p AS (SELECT ST_SetSRID(ST_MakePoint(%(w)r + :x * %(dx)r, %(s)r + :y * %(dy)r), 4326) AS g),
     s AS (SELECT nextval(pg_get_serial_sequence('cases', 'pk')) AS pk),
     cell AS (SELECT (SELECT code FROM grids, p WHERE ST_Contains(grids.geom, p.g) LIMIT 1) AS grid_code,
                     (SELECT community_code FROM grids, p WHERE ST_Contains(grids.geom, p.g) LIMIT 1) AS community_code),
     c AS (INSERT INTO cases(pk, id, source, kind, class_code, urgency, description, lon, lat, grid_code, community_code, street_code,
                             district_code, routed_department_id, department_id, status, version, reported_by, reported_at,
                             extension_hours, extensions, parked_work_seconds, deadline_provisional, rework_count)
           SELECT s.pk, 'B' || lpad(s.pk::text, 12, '0'), 'supervisor', CASE WHEN :k <= 5 THEN 'component' ELSE 'event' END, '0101',
                  'normal', 'pgbench ' || s.pk, ST_X(p.g), ST_Y(p.g), cell.grid_code, cell.community_code,
                  substr(cell.community_code, 1, 9), substr(cell.community_code, 1, 6), 'water', 'water', 'reported', 1, 'pgbench', now(),
                  0, 0, 0, false, 0
           FROM s, p, cell RETURNING pk, id),
     e AS (INSERT INTO case_events(case_pk, action, from_status, to_status, by_user, at) SELECT c.pk, 'report', NULL, 'reported', 'pgbench', now() FROM c)
INSERT INTO case_requests(key, body_hash, case_id, response, created_at) SELECT 'pgbench-' || c.pk, 'h', c.id, '{}', now() FROM c;
"""


def pgbench(a, c, dbname):
    w, s, e, n = HELSINKI
    script = os.path.join(a.work, "report.sql")
    open(script, "w").write(PGBENCH_SQL % {"w": w, "s": s, "dx": (e - w) / 1e9, "dy": (n - s) / 1e9})
    logdir = os.path.join(a.work, "pgbench-log")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    before = int(c.psql(dbname, "SELECT count(*) FROM cases"))
    out = run(["pgbench", "-h", "127.0.0.1", "-p", c.port, "-U", c.user, "-n", "-M", "prepared", "-c", str(a.connections), "-j", "2",
               "-T", str(a.seconds), "-f", script, "-l", "--log-prefix", os.path.join(logdir, "tx"), dbname],
              capture_output=True, text=True, env={**os.environ, "PGPASSWORD": c.password}).stdout
    after = int(c.psql(dbname, "SELECT count(*) FROM cases"))
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    lat = sorted(int(line.split()[2]) for f in os.listdir(logdir) for line in open(os.path.join(logdir, f)))
    nulls = int(c.psql(dbname, "SELECT count(*) FROM cases WHERE reported_by = 'pgbench' AND grid_code IS NULL"))
    return {"engine": "PostGIS + pgbench (prepared, loopback TCP)", "requests_per_s": round(tps), "p50_ms": lat[len(lat) // 2] / 1000,
            "p99_ms": lat[int(len(lat) * 0.99)] / 1000, "max_ms": lat[-1] / 1000, "requests": len(lat), "created": after - before,
            "outside_grid": nulls, "ok": after - before == len(lat)}


def bench_intake(a, c, db, results):
    url = c.createdb("ug_case_bench")
    ug(a, "copy", db, url)
    pg = intake(a, c, url, "postgresql", ["--connections", str(a.serve_connections), "--writers", str(a.serve_connections)])
    results["intake_postgresql"] = pg
    print(json.dumps({"case": "intake_postgresql", **pg}), flush=True)
    anchor = pgbench(a, c, "ug_case_bench")
    results["intake_pgbench"] = anchor
    print(json.dumps({"case": "intake_pgbench", **anchor}), flush=True)
    file = os.path.join(a.work, "intake.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(file + suffix):
            os.remove(file + suffix)
    shutil.copy(db, file)
    sl = intake(a, c, file, "spatialite", [])
    results["intake_spatialite"] = sl
    print(json.dumps({"case": "intake_spatialite", **sl}), flush=True)


# MARK: 2: assessment

CASE_COLUMNS = ["pk", "id", "source", "kind", "class_code", "urgency", "lon", "lat", "grid_code", "community_code", "street_code",
                "district_code", "routed_department_id", "department_id", "status", "version", "reported_by", "reported_at", "verified_at",
                "filed_at", "dispatched_at", "handled_at", "closed_at", "voided_at", "limit_seconds", "extension_hours", "extensions",
                "parked_work_seconds", "deadline", "warn_at", "deadline_provisional", "rework_count"]


def generate_cases(a, db, path):
    """N plausible cases over 2026 as CSV in CASE_COLUMNS order (times as UTC text, the stored form); seeded."""
    cells = [r.split("|") for r in run(["sqlite3", db, "SELECT code, community_code FROM grids ORDER BY code"],
                                       capture_output=True, text=True).stdout.split()]
    departments = ["municipal", "water", "power", "telecom", "traffic", "sanitation", "landscaping", "enforcement", "street-2"]
    rng = random.Random(20261207)
    t0 = 1767196800.0  # 2026-01-01T00:00:00+08:00 (Asia/Shanghai), as UTC seconds
    year = 365 * 86400

    def iso(t):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z" if t is not None else ""

    w, s, e, n = HELSINKI
    with open(path, "w") as f:
        for i in range(1, a.cases + 1):
            code, community = cells[rng.randrange(len(cells))]
            r = rng.random()
            source = "supervisor" if r < 0.6 else "hotline" if r < 0.9 else "public"
            kind, cls = CLASSES[rng.randrange(len(CLASSES))]
            dept = departments[rng.randrange(len(departments))]
            reported = t0 + rng.random() * year
            verified = reported + rng.uniform(600, 7200) if source != "supervisor" else None
            stage = rng.random()  # how far the case got
            filed = dispatched = handled = closed = voided = deadline = warn = limit = None
            status, version, rework, extensions, extension_hours = "reported", 1, 0, 0, 0.0
            if stage < 0.04:
                status, version, voided = "voided", 2, reported + 3600
            elif stage >= 0.08:
                filed = (verified or reported) + rng.uniform(300, 3600)
                status, version = "filed", 2 + (verified is not None)
                if stage >= 0.12:
                    dispatched = filed + rng.uniform(300, 7200)
                    limit = rng.choice([4, 28, 35, 70]) * 3600.0
                    span = limit / 3600 / 7 * 86400 * 7 / 5  # limit in seconds of work; a work day is 7 h: about limit/7 h days, weekends added
                    if rng.random() < 0.05:
                        extensions, extension_hours = 1, 7.0
                        span += 86400 * 1.4
                        version += 1
                    deadline = dispatched + span
                    warn = dispatched + 0.8 * span
                    status, version = "dispatched", version + 1
                    if rng.random() < 0.1:
                        rework, version = 1, version + 2
                    if stage >= 0.25:
                        handled = dispatched + rng.expovariate(1 / (0.7 * span))
                        status, version = "handled", version + 1
                        if stage >= 0.35:
                            closed = handled + rng.uniform(600, 86400)
                            status, version = "closed", version + 1
            lon, lat = w + rng.random() * (e - w), s + rng.random() * (n - s)
            row = [i, f"G{i:09d}", source, kind, cls, "urgent" if rng.random() < 0.1 else "normal", f"{lon:.7f}", f"{lat:.7f}", code,
                   community, community[:9], community[:6], dept, dept, status, version,
                   f"supervisor{rng.randrange(60):02d}" if source == "supervisor" else "operator1", iso(reported), iso(verified),
                   iso(filed), iso(dispatched), iso(handled), iso(closed), iso(voided), "" if limit is None else limit, extension_hours,
                   extensions, 0.0, iso(deadline), iso(warn), "0", rework]
            f.write(",".join(str(v) for v in row) + "\n")


def assess_times(a, db):
    """{grouping: (median seconds, answer)}"""
    out = {}
    for g in GROUPINGS:
        runs, answer = [], None
        for _ in range(a.repeat):
            t = time.perf_counter()
            answer = ug(a, "assess", db, "--by", g, "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json")
            runs.append(time.perf_counter() - t)
        out[g] = (statistics.median(runs), answer)
    return out


def bench_assess(a, c, db, results):
    csv = os.path.join(a.work, f"cases-{a.cases}.csv")
    if not os.path.exists(csv):
        t = time.perf_counter()
        generate_cases(a, db, csv + ".tmp")
        os.replace(csv + ".tmp", csv)
        log(f"generated {a.cases:,} cases in {time.perf_counter() - t:.1f} s")
    # SpatiaLite: a copy of the city, the rows by sqlite3's .import (the indexes kept up as they come)
    file = os.path.join(a.work, "assess.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(file + suffix):
            os.remove(file + suffix)
    shutil.copy(db, file)
    t = time.perf_counter()
    # the demo city's own month of cases (Tools/demo-cases.sh) makes way for the generated ones
    run(["sqlite3", file], input="DELETE FROM case_events; DELETE FROM case_requests; DELETE FROM cases;\n"
        f"CREATE TEMP TABLE g({', '.join(CASE_COLUMNS)});\n.mode csv\n.import {csv} g\n"
        f"INSERT INTO cases({', '.join(CASE_COLUMNS)}) SELECT " +
        ", ".join(f"nullif({col}, '')" if col not in ("pk", "version", "extensions", "rework_count", "deadline_provisional", "lon", "lat",
                                                       "extension_hours", "parked_work_seconds", "limit_seconds")
                  else f"CAST(nullif({col}, '') AS {'REAL' if col in ('lon', 'lat', 'extension_hours', 'parked_work_seconds', 'limit_seconds') else 'INTEGER'})"
                  for col in CASE_COLUMNS) + " FROM g;\nANALYZE cases;\n", text=True, capture_output=True)
    log(f"SpatiaLite: {a.cases:,} cases loaded in {time.perf_counter() - t:.1f} s")
    # PostgreSQL: a copy of the city, the rows by COPY
    url = c.createdb("ug_case_assess")
    ug(a, "copy", db, url)
    t = time.perf_counter()
    c.psql("ug_case_assess", "DELETE FROM case_events", "DELETE FROM case_requests", "DELETE FROM cases")
    with open(csv) as f:
        c.psql("ug_case_assess", f"COPY cases({', '.join(CASE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", stdin=f)
    c.psql("ug_case_assess", "SELECT setval(pg_get_serial_sequence('cases', 'pk'), (SELECT max(pk) FROM cases))", "VACUUM ANALYZE cases")
    log(f"PostgreSQL: {a.cases:,} cases loaded in {time.perf_counter() - t:.1f} s")
    sl, pg = assess_times(a, file), assess_times(a, url)
    rows = {}
    for g in GROUPINGS:
        same = json.loads(sl[g][1]) == json.loads(pg[g][1])
        rows[g] = {"spatialite_s": round(sl[g][0], 3), "postgresql_s": round(pg[g][0], 3), "keys": len(json.loads(pg[g][1])), "same_answer": same}
        print(json.dumps({"case": f"assess_{g}", "cases": a.cases, **rows[g]}), flush=True)
    results["assess"] = rows


# MARK: report

def report(a, c, results):
    lines = [f"Case loop, {time.strftime('%Y-%m-%d')} (Tools/case-bench.sh; PostgreSQL {c.version}, {c.settings}; 2 cores shared with "
             f"wrk/pgbench and the server):", "",
             "| what | urbangrid | anchor | ratio | goal |", "| --- | ---: | ---: | ---: | --- |"]
    if "intake_postgresql" in results:
        pg, pb, sl = results["intake_postgresql"], results["intake_pgbench"], results["intake_spatialite"]
        how = f"{a.connections} connections, {a.seconds} s"
        lines.append(f"| case intake on PostgreSQL (`POST /cases`, wrk, {how}) vs pgbench INSERT + `ST_Contains` grid join | "
                     f"{pg['requests_per_s']:,}/s, p99 {pg['p99_ms']:.1f} ms | {pb['requests_per_s']:,}/s, p99 {pb['p99_ms']:.1f} ms | "
                     f"{pg['requests_per_s'] / pb['requests_per_s']:.2f}x | ≥ 2,000/s, p99 < 50 ms: "
                     f"{'met' if pg['requests_per_s'] >= 2000 and pg['p99_ms'] < 50 else 'not met'} |")
        lines.append(f"| case intake on SpatiaLite (one writer, same wrk) | {sl['requests_per_s']:,}/s, p99 {sl['p99_ms']:.1f} ms | "
                     f"(PostgreSQL above) | {sl['requests_per_s'] / pg['requests_per_s']:.2f}x of PostgreSQL | reported |")
        print(f"intake: PostgreSQL {pg['requests_per_s']}/s p99 {pg['p99_ms']} ms = {pg['requests_per_s'] / pb['requests_per_s']:.2f}x of pgbench "
              f"({pb['requests_per_s']}/s p99 {pb['p99_ms']} ms); SpatiaLite {sl['requests_per_s']}/s p99 {sl['p99_ms']} ms; "
              f"all answers 201 and stored once: {pg['ok'] and sl['ok']}")
    if "assess" in results:
        for g, r in results["assess"].items():
            worst = max(r["spatialite_s"], r["postgresql_s"])
            lines.append(f"| assessment by {g} over {a.cases:,} cases ({r['keys']} keys), SpatiaLite / PostgreSQL | "
                         f"{r['spatialite_s']:.2f} s / {r['postgresql_s']:.2f} s | 1 s (goal) | {worst:.2f}x of the goal | "
                         f"< 1 s: {'met' if worst < 1 else 'not met'}; answers equal: {'yes' if r['same_answer'] else 'NO'} |")
            print(f"assess by {g}: SpatiaLite {r['spatialite_s']} s, PostgreSQL {r['postgresql_s']} s, same answer {r['same_answer']}")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.markdown:
        open(a.markdown, "w").write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=".build/release", help="folder with urbangrid (release build)")
    ap.add_argument("--seconds", type=int, default=20, help="wrk and pgbench duration")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections and pgbench clients")
    ap.add_argument("--serve-connections", type=int, default=16, help="serve --connections and --writers on PostgreSQL")
    ap.add_argument("--cases", type=int, default=1_000_000, help="generated cases for the assessment")
    ap.add_argument("--repeat", type=int, default=3, help="assessment runs per grouping and engine (median)")
    ap.add_argument("--skip-intake", action="store_true")
    ap.add_argument("--skip-assess", action="store_true")
    ap.add_argument("--pg-dir", default="out/pg-case-bench")
    ap.add_argument("--pg-port", type=int)
    ap.add_argument("--pg-settings", choices=["durable", "test"], default="durable")
    ap.add_argument("--work", default="out/case-bench")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (the city and the generated cases)")
    ap.add_argument("--markdown", help="also write the table to this file")
    a = ap.parse_args()
    a.work, a.bin = os.path.abspath(a.work), os.path.abspath(a.bin)
    os.makedirs(a.work, exist_ok=True)
    for tool in ("wrk", "pgbench", "psql", "sqlite3"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (Debian: wrk, postgresql-client-15, sqlite3; Tools/case-bench.sh installs them)")
    db = city(a)
    c = Cluster(a)
    results = {}
    try:
        if not a.skip_intake:
            bench_intake(a, c, db, results)
        if not a.skip_assess:
            bench_assess(a, c, db, results)
    finally:
        c.stop(a)
        if not a.keep:
            shutil.rmtree(a.work, ignore_errors=True)
    report(a, c, results)


if __name__ == "__main__":
    main()
