#!/usr/bin/env python3
"""UrbanGrid on PostgreSQL/PostGIS against its peers, on the same inputs in one run; prints ratios and a markdown table.

1. Import: N points (default 1,000,000) of the `pois` layer (`kind`, `name`, an extra `osm_id`) over the Helsinki demo
   extent (GeoData/helsinki/boundary.geojson's box; splitmix64 seed 20240605) as GeoJSONSeq (and/or GeoJSON):
   `urbangrid import URL --layer pois FILE` into a fresh database after `urbangrid init URL` (untimed; its GiST index
   exists before the rows come) against `ogr2ogr -f PostgreSQL PG:… FILE -nln pois_ogr -lco GEOMETRY_NAME=geom
   -lco SPATIAL_INDEX=GIST --config PG_USE_COPY YES` (GDAL's default made explicit: COPY, a transaction per 100,000
   features (-gt's default); GDAL 3.6 creates the table and its GiST index first, as urbangrid init does, so both
   maintain the index row by row) into another fresh database with PostGIS. Both over loopback TCP (SCRAM), both
   end with the rows committed and one GiST index (checked). Seconds, rows/s, peak RSS (ru_maxrss of the process).
2. Export: `urbangrid-export URL --layer pois --format geojson --out FILE` against
   `ogr2ogr -f GeoJSON FILE PG:… pois_ogr -lco RFC7946=YES` (the same rows; RFC 7946: 7 decimals, WGS84, the
   contract urbangrid-export keeps; export_bench.py does the same); checks both files hold N features and that the
   first 1,000 agree (coordinates, kind, name).
3. Lookups under load (`--skip-service` leaves 3 and 4 out): service_bench.py's city (400 communities of 1 km²
   gridded by 50 m squares: about 160,000 cells; `--cell-size` for a smaller one), copied into PostgreSQL by
   `urbangrid copy FILE URL`; `urbangrid serve FILE` and `urbangrid serve URL` (access log off) under wrk with
   service_bench.py's script (uniformly random spots, same seed, same connections and seconds), and PostGIS's own
   `ST_Covers` on the copied `grids` table (GiST) by pgbench, prepared, over the Unix socket.
4. One-spot CLI lookup on that city: `urbangrid lookup DB --lon X --lat Y`, start to exit, on the file and the URL
   (median of --lookup-repeat runs; answers compared).

The cluster: Tools/pg-cluster.sh in --pg-dir (default out/pg-bench), switched to durable settings (fsync,
synchronous_commit and full_page_writes on: `--pg-settings durable`, the default) or left as the tests run it
(`--pg-settings test`: all three off); stopped and removed at the end. Work files in --work (default
out/pg-bench-work), removed at the end unless --keep.
    python3 Tools/bench/pg_bench.py [--n 1000000] [--skip-service] [--bin .build-bench/release] [--input geojsonseq|geojson|both]
"""
import argparse
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import time
import types
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

# GeoData/helsinki/boundary.geojson's bounding box (the demo extent)
HELSINKI = (24.9348163, 60.1639755, 24.9537735, 60.179287)
KINDS = ["crossing", "street_lamp", "shop", "manhole", "restaurant", "surveillance_camera", "bench", "school"]


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


# MARK: processes

def timed(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (seconds, peak RSS in MB of that process alone, stdout text when captured)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read().decode() if stdout == subprocess.PIPE else None
    err = p.stderr.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(shlex.quote(c) for c in cmd)} failed ({p.returncode}): {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# MARK: the cluster

class Cluster:
    def __init__(self, a):
        self.dir = os.path.abspath(a.pg_dir)
        self.script = os.path.join(ROOT, "Tools", "pg-cluster.sh")
        env = run([self.script, "start", self.dir], capture_output=True, text=True).stdout
        self.env = dict(re.findall(r"export (\w+)=(\S+)", env))
        for k, v in list(self.env.items()):
            self.env[k] = shlex.split(v)[0]
        self.socket = self.env["URBANGRID_PG_SOCKET"]
        self.port = self.env["URBANGRID_PG_PORT"]
        url = urllib.parse.urlsplit(self.env["URBANGRID_PG_URL"])
        self.user, self.password = url.username, urllib.parse.unquote(url.password)
        if a.pg_settings == "durable":
            self.psql("postgres", "ALTER SYSTEM SET fsync = on", "ALTER SYSTEM SET synchronous_commit = on",
                      "ALTER SYSTEM SET full_page_writes = on", "SELECT pg_reload_conf()")
            time.sleep(0.5)
        self.settings = self.psql("postgres", "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN "
                                  "('fsync','synchronous_commit','full_page_writes','shared_buffers','max_wal_size','work_mem','maintenance_work_mem')",
                                  capture=True).strip()
        self.version = self.psql("postgres", "SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version()", capture=True).strip()
        log(f"PostgreSQL {self.version} on 127.0.0.1:{self.port}: {self.settings}")

    def psql(self, db, *sql, capture=False):
        cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.socket, "-p", self.port, "-U", "postgres", "-d", db]
        for s in sql:
            cmd += ["-c", s]
        r = run(cmd, capture_output=True, text=True, env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"})
        return r.stdout if capture else None

    def createdb(self, name, postgis=False):
        url = run([self.script, "createdb", self.dir, name], capture_output=True, text=True).stdout.strip()
        if postgis:
            self.psql(name, "CREATE EXTENSION postgis")
        return url

    def gdal(self, db):
        """GDAL's PG: connection string for the same server, user and transport as the URLs."""
        return f"PG:host=127.0.0.1 port={self.port} user={self.user} password={self.password} dbname={db}"

    def checkpoint(self):
        self.psql("postgres", "CHECKPOINT")

    def stop(self):
        run([self.script, "stop", self.dir, "--remove"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# MARK: inputs

def generate(a):
    """The N points, in a child process (so that this one stays small: a process started from a big one inherits
    its peak RSS); writes points.geojsonl and/or points.geojson in the work folder."""
    import numpy as np
    from peers import splitmix64_u
    u = splitmix64_u(20240605, 2 * a.n)
    w, s, e, n = HELSINKI
    lon = np.round(w + u[0::2] * (e - w), 7).tolist()  # Python floats: repr is the shortest round trip
    lat = np.round(s + u[1::2] * (n - s), 7).tolist()
    want = ["geojsonseq", "geojson"] if a.input == "both" else [a.input]
    for fmt in want:
        path = os.path.join(a.work, "points.geojsonl" if fmt == "geojsonseq" else "points.geojson")
        with open(path, "w") as f:
            if fmt == "geojson":
                f.write('{"type":"FeatureCollection","features":[\n')
            step = 50_000
            for start in range(0, a.n, step):
                lines = []
                for i in range(start, min(a.n, start + step)):
                    lines.append(f'{{"type":"Feature","id":"p{i}","properties":{{"kind":"{KINDS[i % len(KINDS)]}","name":"poi {i}",'
                                 f'"osm_id":{1000000 + i}}},"geometry":{{"type":"Point","coordinates":[{lon[i]!r},{lat[i]!r}]}}}}')
                if fmt == "geojson":
                    f.write((",\n" if start else "") + ",\n".join(lines))
                else:
                    f.write("\n".join(lines) + "\n")
            if fmt == "geojson":
                f.write("\n]}\n")


def count_features(path):
    """Occurrences of "Feature" as a JSON string value (not FeatureCollection), streamed."""
    pat = re.compile(rb'"type"\s*:\s*"Feature"')
    n, tail = 0, b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 22)
            if not chunk:
                break
            buf = tail + chunk
            ms = list(pat.finditer(buf))
            n += len(ms)
            # keep the unmatched tail (a match cut in two), never re-counting a match
            cut = max(len(buf) - 32, ms[-1].end() if ms else 0)
            tail = buf[cut:]
    return n


def first_features(path, k):
    """The first k features of a GeoJSON file written one feature per line (both writers do)."""
    out = []
    with open(path, "rb") as f:
        for line in f:
            line = line.strip().rstrip(b",").lstrip(b"\x1e")
            if line.startswith(b"{") and b'"Feature"' in line and not line.startswith(b'{"type":"FeatureCollection"') \
                    and b"FeatureCollection" not in line[:40]:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
                if len(out) == k:
                    break
    return out


# MARK: 1 and 2: import and export

def bench_import_export(a, c, results):
    bin_ug = os.path.join(a.bin, "urbangrid")
    bin_ex = os.path.join(a.bin, "urbangrid-export")
    inputs = {"geojsonseq": "points.geojsonl", "geojson": "points.geojson"}
    formats = ["geojsonseq", "geojson"] if a.input == "both" else [a.input]
    if not all(os.path.exists(os.path.join(a.work, inputs[f])) for f in formats):
        t = time.perf_counter()
        run([sys.executable, os.path.abspath(__file__), "--generate", "--n", str(a.n), "--input", a.input, "--work", a.work])
        log(f"generated {a.n} points in {time.perf_counter() - t:.1f} s")
    ogr_config = ["--config", "PG_USE_COPY", "YES"]
    keep_url = keep_ogr = None
    for fmt in formats:
        src = os.path.join(a.work, inputs[fmt])
        size_mb = os.path.getsize(src) / 1e6
        runs = {"urbangrid": [], "ogr2ogr": []}
        for r in range(a.repeat):
            last = fmt == formats[-1] and r == a.repeat - 1  # the export reads the last pair of databases
            for engine in (["urbangrid", "ogr2ogr"] if r % 2 == 0 else ["ogr2ogr", "urbangrid"]):
                name = f"bench_{engine}_{fmt}_{r}"
                if engine == "urbangrid":
                    url = c.createdb(name)
                    run([bin_ug, "init", url], stdout=subprocess.DEVNULL)
                    table = "pois"
                    cmd = [bin_ug, "import", url, "--layer", "pois", src]
                else:
                    c.createdb(name, postgis=True)
                    table = "pois_ogr"
                    cmd = ["ogr2ogr"] + ogr_config + ["-f", "PostgreSQL", c.gdal(name), src, "-nln", "pois_ogr",
                                                      "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST"]
                c.checkpoint()  # neither pays for the other's dirty pages
                s, rss, _ = timed(cmd)
                rows = int(c.psql(name, f"SELECT count(*) FROM {table}", capture=True))
                gist = int(c.psql(name, f"SELECT count(*) FROM pg_indexes WHERE tablename = '{table}' AND indexdef ILIKE '%USING gist%'", capture=True))
                if rows != a.n or gist != 1:
                    sys.exit(f"{engine} import of {fmt}: {rows} rows (want {a.n}), {gist} GiST indexes (want 1)")
                runs[engine].append((s, rss))
                print(json.dumps({"case": f"import_{fmt}", "engine": engine, "run": r, "s": round(s, 2), "peak_rss_mb": round(rss, 1)}), flush=True)
                if not last:
                    c.psql("postgres", f'DROP DATABASE "{name}"')
                elif engine == "urbangrid":
                    keep_url = (url, name)
                else:
                    keep_ogr = name
        res = {e: {"s": statistics.median(x[0] for x in v), "rss": max(x[1] for x in v), "runs": [round(x[0], 2) for x in v]} for e, v in runs.items()}
        results[f"import_{fmt}"] = {"n": a.n, "input_mb": size_mb, **res}
        ratio = res["ogr2ogr"]["s"] / res["urbangrid"]["s"]
        log(f"import {a.n} points ({fmt}, {size_mb:.0f} MB): urbangrid {res['urbangrid']['s']:.2f} s, ogr2ogr {res['ogr2ogr']['s']:.2f} s: {ratio:.2f}x")

    # export, from the last import's databases
    url, ug_db = keep_url
    ours = os.path.join(a.work, "export-urbangrid.geojson")
    theirs = os.path.join(a.work, "export-ogr2ogr.geojson")
    runs = {"urbangrid": [], "ogr2ogr": []}
    for r in range(a.repeat):
        for engine in (["urbangrid", "ogr2ogr"] if r % 2 == 0 else ["ogr2ogr", "urbangrid"]):
            out = ours if engine == "urbangrid" else theirs
            if os.path.exists(out):
                os.remove(out)
            if engine == "urbangrid":
                cmd = [bin_ex, url, "--layer", "pois", "--format", "geojson", "--out", ours]
            else:
                cmd = ["ogr2ogr", "-f", "GeoJSON", "-lco", "RFC7946=YES", theirs, c.gdal(keep_ogr), "pois_ogr"]
            s, rss, _ = timed(cmd)
            runs[engine].append((s, rss))
            print(json.dumps({"case": "export_geojson", "engine": engine, "run": r, "s": round(s, 2), "peak_rss_mb": round(rss, 1)}), flush=True)
    res = {e: {"s": statistics.median(x[0] for x in v), "rss": max(x[1] for x in v), "runs": [round(x[0], 2) for x in v]} for e, v in runs.items()}
    n_ours, n_theirs = count_features(ours), count_features(theirs)
    fa, fb = first_features(ours, 1000), first_features(theirs, 1000)
    same = n_ours == n_theirs == a.n and len(fa) == len(fb) == min(1000, a.n)
    for x, y in zip(fa, fb):
        same &= x["geometry"]["coordinates"] == y["geometry"]["coordinates"] and \
            all(x["properties"].get(k) == y["properties"].get(k) for k in ("kind", "name"))
    res["urbangrid"]["mb"] = os.path.getsize(ours) / 1e6
    res["ogr2ogr"]["mb"] = os.path.getsize(theirs) / 1e6
    results["export_geojson"] = {"n": a.n, **res, "features": [n_ours, n_theirs], "agree": same}
    log(f"export {a.n} points: urbangrid {res['urbangrid']['s']:.2f} s ({res['urbangrid']['rss']:.0f} MB), ogr2ogr {res['ogr2ogr']['s']:.2f} s "
        f"({res['ogr2ogr']['rss']:.0f} MB): {res['ogr2ogr']['s'] / res['urbangrid']['s']:.2f}x; features {n_ours} / {n_theirs}, "
        f"first 1000 agree: {'yes' if same else 'NO'}")
    for f in (ours, theirs):
        os.remove(f)
    for engine, name in (("urbangrid", ug_db), ("ogr2ogr", keep_ogr)):
        c.psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
    if not a.keep:
        for f in inputs.values():
            p = os.path.join(a.work, f)
            if os.path.exists(p):
                os.remove(p)


# MARK: 3 and 4: lookups

def start_serve(a, db, log_path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from service_bench import free_port
    port = free_port()
    server = subprocess.Popen([os.path.join(a.bin, "urbangrid"), "serve", db, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=open(log_path, "w"), env={**os.environ, "URBANGRID_LOG": "notice"})
    t = time.perf_counter()
    deadline = t + a.ready_timeout
    ready = None
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            sys.exit(f"urbangrid serve {db} exited: {open(log_path).read()[-2000:]}")
        if "query indexes ready" in open(log_path).read():
            ready = time.perf_counter() - t
            break
        time.sleep(0.05)
    if ready is None:
        server.terminate()
        sys.exit(f"urbangrid serve {db}: query indexes not ready in {a.ready_timeout} s")
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    return server, port, ready


def bench_service(a, c, results):
    import service_bench
    sb = types.SimpleNamespace(bin=a.bin, work=a.work, connections=a.connections, seconds=a.seconds)
    city = os.path.join(a.work, "city.sqlite")
    if not os.path.exists(city):
        if a.cell_size != 50:  # a smaller city: service_bench.py's communities with larger cells
            src = open(service_bench.__file__).read()
            assert '"--cell-size", "50"' in src
            ns = {"__file__": service_bench.__file__, "__name__": "service_bench_cells"}
            exec(compile(src.replace('"--cell-size", "50"', f'"--cell-size", "{a.cell_size}"'), service_bench.__file__, "exec"), ns)
            ns["build_city"](sb, a.work, city)
        else:
            service_bench.build_city(sb, a.work, city)
    cells = int(run(["sqlite3", city, "SELECT count(*) FROM grids"], capture_output=True, text=True).stdout.strip())
    url = c.createdb("bench_city")
    s, rss, _ = timed([os.path.join(a.bin, "urbangrid"), "copy", city, url])
    results["copy"] = {"cells": cells, "s": s, "rss": rss}
    log(f"urbangrid copy of the {cells}-cell city into PostgreSQL: {s:.1f} s, {rss:.0f} MB")
    c.psql("bench_city", "ANALYZE")
    box = service_bench.lon_lat_box()

    # 4 first (a quiet machine): one spot, start to exit
    lon, lat = (box[0] + box[2]) / 2 + 0.00123, (box[1] + box[3]) / 2 + 0.00077
    lookups = {}
    answers = {}
    for name, db in (("file", city), ("postgresql", url)):
        times = []
        for _ in range(a.lookup_repeat):
            s, rss, out = timed([os.path.join(a.bin, "urbangrid"), "lookup", db, "--lon", f"{lon:.7f}", "--lat", f"{lat:.7f}",
                                 "--format", "json"], stdout=subprocess.PIPE)
            times.append((s, rss))
        answers[name] = out
        lookups[name] = {"s": statistics.median(t[0] for t in times), "rss": max(t[1] for t in times), "runs": [round(t[0], 3) for t in times]}
        print(json.dumps({"case": "lookup_one_spot", "db": name, "s": round(lookups[name]["s"], 3), "peak_rss_mb": round(lookups[name]["rss"], 1),
                          "runs": lookups[name]["runs"]}), flush=True)
    results["lookup_cli"] = {**lookups, "same_answer": answers["file"] == answers["postgresql"], "spot": [lon, lat], "cells": cells}
    log(f"one-spot lookup: file {lookups['file']['s']:.3f} s, postgresql {lookups['postgresql']['s']:.3f} s, "
        f"same answer: {answers['file'] == answers['postgresql']}")

    # 3: serve on each engine under wrk, then pgbench
    service = {}
    for name, db in (("spatialite", city), ("postgresql", url)):
        server, port, ready = start_serve(a, db, os.path.join(a.work, f"serve-{name}.log"))
        try:
            r = service_bench.run_wrk(sb, port, box)
        finally:
            server.terminate()
            server.wait()
        r["ready_s"] = round(ready, 2)
        service[name] = r
        print(json.dumps({"case": "serve_lookup", "db": name, **r}), flush=True)
        log(f"serve on {name}: {r['requests_per_s']}/s, p99 {r['p99_ms']} ms, {r['errors']} errors (indexes ready in {ready:.1f} s)")
    script = os.path.join(a.work, "lookup.sql")
    open(script, "w").write(f"""\\set x random(0, 999999999)
\\set y random(0, 999999999)
SELECT code FROM grids WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint({box[0]!r} + :x * {(box[2] - box[0]) / 1e9!r}, {box[1]!r} + :y * {(box[3] - box[1]) / 1e9!r}), 4326)) ORDER BY code LIMIT 1;
""")
    logdir = os.path.join(a.work, "pgbench-log")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    out = run(["pgbench", "-h", c.socket, "-p", c.port, "-U", "postgres", "-n", "-M", "prepared", "-c", str(a.connections), "-j", "2",
               "-T", str(a.seconds), "-f", script, "-l", "--log-prefix", os.path.join(logdir, "tx"), "bench_city"],
              capture_output=True, text=True).stdout
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    lat = sorted(int(line.split()[2]) for f in os.listdir(logdir) for line in open(os.path.join(logdir, f)))
    failed = int(re.search(r"number of failed transactions: (\d+)", out).group(1)) if "failed transactions" in out else 0
    service["pgbench"] = {"engine": "PostGIS + pgbench (prepared, unix socket)", "requests_per_s": round(tps),
                          "p50_ms": lat[len(lat) // 2] / 1000, "p99_ms": lat[int(len(lat) * 0.99)] / 1000, "errors": failed}
    shutil.rmtree(logdir, ignore_errors=True)
    print(json.dumps({"case": "pgbench_lookup", **service["pgbench"]}), flush=True)
    log(f"pgbench ST_Covers: {round(tps)}/s, p99 {service['pgbench']['p99_ms']} ms")
    results["service"] = {"cells": cells, "seconds": a.seconds, "connections": a.connections, **service}
    c.psql("postgres", 'DROP DATABASE IF EXISTS "bench_city"')


# MARK: report

def yes(ok):
    return "yes" if ok else "**no**"


def report(a, c, results):
    lines = [f"pg_bench {time.strftime('%Y-%m-%d %H:%M')}, {a.n:,} points; PostgreSQL {c.version}; "
             f"{'durable settings (fsync, synchronous_commit, full_page_writes on)' if a.pg_settings == 'durable' else 'test settings (fsync off)'}; "
             f"urbangrid and ogr2ogr over loopback TCP; median of {a.repeat} run(s); ratio = peer time / ours (rates: ours / peer)", "",
             "| case | urbangrid | peer | ratio | goal | met |", "| --- | ---: | ---: | ---: | --- | --- |"]
    for key, r in results.items():
        if key.startswith("import_"):
            u, g = r["urbangrid"], r["ogr2ogr"]
            ratio = g["s"] / u["s"]
            fmt = "GeoJSONSeq" if key.endswith("seq") else "GeoJSON"
            lines.append(f"| import {r['n']:,} points ({fmt}, {r['input_mb']:.0f} MB) → PostGIS, GiST | {u['s']:.2f} s, {r['n'] / u['s'] / 1e3:.0f} k rows/s, "
                         f"{u['rss']:.0f} MB | ogr2ogr (COPY) {g['s']:.2f} s, {r['n'] / g['s'] / 1e3:.0f} k rows/s, {g['rss']:.0f} MB | "
                         f"{ratio:.2f}× | ≥ 1.5× | {yes(ratio >= 1.5)} |")
    if "export_geojson" in results:
        r = results["export_geojson"]
        u, g = r["urbangrid"], r["ogr2ogr"]
        ratio = g["s"] / u["s"]
        lines.append(f"| export {r['n']:,} points PostGIS → GeoJSON ({u['mb']:.0f} MB; {r['features'][0]:,} / {r['features'][1]:,} features"
                     f"{', agree' if r['agree'] else ', DISAGREE'}) | {u['s']:.2f} s, {r['n'] / u['s'] / 1e3:.0f} k/s, {u['rss']:.0f} MB | "
                     f"ogr2ogr (RFC7946=YES) {g['s']:.2f} s, {g['rss']:.0f} MB | {ratio:.2f}× | ≥ 3×, < 100 MB | "
                     f"{yes(ratio >= 3 and u['rss'] < 100)} |")
    if "service" in results:
        s = results["service"]
        sl, pg, pb = s["spatialite"], s["postgresql"], s["pgbench"]
        what = f"{s['cells']:,} cells, wrk/pgbench {s['connections']} connections, {s['seconds']} s"
        lines.append(f"| `serve` lookups/s on PostgreSQL vs on SpatiaLite ({what}) | {pg['requests_per_s']:,}/s (p99 {pg['p99_ms']:.2f} ms) | "
                     f"SpatiaLite {sl['requests_per_s']:,}/s (p99 {sl['p99_ms']:.2f} ms) | {pg['requests_per_s'] / sl['requests_per_s']:.2f}× | ≈ 1× | "
                     f"{yes(pg['requests_per_s'] / sl['requests_per_s'] >= 0.9)} |")
        lines.append(f"| `serve` on PostgreSQL vs PostGIS `ST_Covers` + pgbench (Unix socket) | {pg['requests_per_s']:,}/s | "
                     f"{pb['requests_per_s']:,}/s (p99 {pb['p99_ms']:.2f} ms) | {pg['requests_per_s'] / pb['requests_per_s']:.2f}× | ≥ 1.5× | "
                     f"{yes(pg['requests_per_s'] / pb['requests_per_s'] >= 1.5)} |")
        lines.append(f"| `serve` on SpatiaLite vs the same pgbench | {sl['requests_per_s']:,}/s | {pb['requests_per_s']:,}/s | "
                     f"{sl['requests_per_s'] / pb['requests_per_s']:.2f}× | (reference) | |")
    if "lookup_cli" in results:
        r = results["lookup_cli"]
        f, p = r["file"], r["postgresql"]
        lines.append(f"| one-spot `urbangrid lookup` on the {r['cells']:,}-cell city, start to exit (median of {a.lookup_repeat}) | "
                     f"PostgreSQL URL {p['s']:.3f} s, {p['rss']:.0f} MB | file {f['s']:.3f} s, {f['rss']:.0f} MB | | < 0.2 s | "
                     f"{yes(p['s'] < 0.2 and f['s'] < 0.2)}{'' if r['same_answer'] else ' (answers DIFFER)'} |")
    if "copy" in results:
        r = results["copy"]
        lines.append(f"| `urbangrid copy` of that city into PostgreSQL | {r['s']:.1f} s, {r['rss']:.0f} MB | | | | |")
    print("\n".join(lines))
    if a.markdown:
        open(a.markdown, "w").write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=".build-bench/release", help="folder with urbangrid and urbangrid-export (release build)")
    ap.add_argument("--n", type=int, default=1_000_000, help="points to import and export")
    ap.add_argument("--input", choices=["geojsonseq", "geojson", "both"], default="geojsonseq")
    ap.add_argument("--repeat", type=int, default=1, help="import and export runs per engine (median; engines alternate)")
    ap.add_argument("--skip-service", action="store_true", help="leave out the lookup parts (3 and 4)")
    ap.add_argument("--skip-import", action="store_true", help="leave out the import and export parts (1 and 2)")
    ap.add_argument("--seconds", type=int, default=20, help="wrk and pgbench duration")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections and pgbench clients")
    ap.add_argument("--cell-size", type=int, default=50, help="grid cell size of the service city (50: about 160,000 cells)")
    ap.add_argument("--lookup-repeat", type=int, default=5)
    ap.add_argument("--ready-timeout", type=float, default=300)
    ap.add_argument("--pg-dir", default="out/pg-bench")
    ap.add_argument("--pg-settings", choices=["durable", "test"], default="durable")
    ap.add_argument("--work", default="out/pg-bench-work")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (inputs and the city) for the next run")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.work = os.path.abspath(a.work)
    os.makedirs(a.work, exist_ok=True)
    if a.generate:
        generate(a)
        return
    a.bin = os.path.abspath(a.bin)
    for tool in ["ogr2ogr", "psql"] + ([] if a.skip_service else ["wrk", "pgbench", "sqlite3"]):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (Debian: gdal-bin, postgresql-15, wrk, sqlite3; Tools/install-deps.sh PACKAGE…)")
    c = Cluster(a)
    results = {}
    try:
        if not a.skip_import:
            bench_import_export(a, c, results)
        if not a.skip_service:
            bench_service(a, c, results)
    finally:
        c.stop()
        if not a.keep:
            shutil.rmtree(a.work, ignore_errors=True)
    print(json.dumps({"case": "pg_bench", "results": results}))
    report(a, c, results)


if __name__ == "__main__":
    main()
