#!/usr/bin/env python3
"""The lookup service under load: `urbangrid serve` driven by wrk (Debian) against the same lookup as a PostGIS query
driven by pgbench over a local PostgreSQL, on a 160,000-cell grid, in one run.

The city: the anchors' `synth` box (EPSG:3067 [375000, 6662000, 395000, 6682000], 20 km × 20 km) cut into 400
communities of 1 km², each gridded by `urbangrid grid build --shape square --cell-size 50` (about 160,000 cells).
The same cells go into PostGIS (exported as a GeoPackage by urbangrid-export, loaded by ogr2ogr, GiST index).
Each request asks for the cell covering a uniformly random point of the box: GET /lookup?lon=…&lat=… (the full
lookup: cell, community, chief, nearest street) against
`SELECT code FROM grids WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(x, y), 4326)) ORDER BY code LIMIT 1`.
The service runs once with its access log off (URBANGRID_LOG=notice) and once on (info, a line per request);
pgbench runs over the Unix socket and over loopback TCP (the transport wrk and the service use).
Prints requests/s, p50 and p99 latency and errors for each, and the ratios. Needs: wrk, postgresql-15, postgresql-15-postgis-3,
gdal-bin (Tools/install-deps.sh installs them when asked), pyproj.
    python3 Tools/bench/service_bench.py [--bin .build/release] [--seconds 20] [--connections 8] [--keep DIR]
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BOX_3067 = (375000, 6662000, 395000, 6682000)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def build_city(a, work, db):
    from pyproj import Transformer
    t = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)

    def ring(x0, y0, x1, y1, n=10):
        pts = [(x0 + (x1 - x0) * i / n, y0) for i in range(n)] + [(x1, y0 + (y1 - y0) * i / n) for i in range(n)]
        pts += [(x1 - (x1 - x0) * i / n, y1) for i in range(n)] + [(x0, y1 - (y1 - y0) * i / n) for i in range(n)]
        pts.append(pts[0])
        lon, lat = t.transform([p[0] for p in pts], [p[1] for p in pts])
        return [[round(x, 9), round(y, 9)] for x, y in zip(lon, lat)]

    x0, y0, x1, y1 = BOX_3067
    feats = [{"type": "Feature", "properties": {"code": "999902", "level": "district", "name": "synth"},
              "geometry": {"type": "Polygon", "coordinates": [ring(x0, y0, x1, y1, 80)]}}]
    for r in range(20):
        street = f"999902{r + 1:03d}"
        feats.append({"type": "Feature", "properties": {"code": street, "level": "street", "parent_code": "999902"},
                      "geometry": {"type": "Polygon", "coordinates": [ring(x0, y0 + r * 1000, x1, y0 + (r + 1) * 1000, 80)]}})
        for c in range(20):
            feats.append({"type": "Feature", "properties": {"code": f"{street}{c + 1:03d}", "level": "community", "parent_code": street},
                          "geometry": {"type": "Polygon", "coordinates": [ring(x0 + c * 1000, y0 + r * 1000, x0 + (c + 1) * 1000, y0 + (r + 1) * 1000)]}})
    admin = os.path.join(work, "admin.geojson")
    json.dump({"type": "FeatureCollection", "features": feats}, open(admin, "w"))
    ug = os.path.join(a.bin, "urbangrid")
    subprocess.run([ug, "init", db], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([ug, "import", db, "--layer", "admin", admin], check=True, stdout=subprocess.DEVNULL)
    t0 = time.perf_counter()
    subprocess.run([ug, "grid", "build", db, "--shape", "square", "--cell-size", "50"], check=True, stdout=subprocess.DEVNULL)
    print(f"# built the grid in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def lon_lat_box():
    from pyproj import Transformer
    t = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = BOX_3067
    # a box inside the city (its lon/lat corners are inside the projected square's image)
    lon0, lat0 = t.transform(x0 + 500, y0 + 500)
    lon1, lat1 = t.transform(x1 - 500, y1 - 500)
    return min(lon0, lon1), min(lat0, lat1), max(lon0, lon1), max(lat0, lat1)


def run_wrk(a, port, box):
    lua = os.path.join(a.work, "lookup.lua")
    open(lua, "w").write(f"""
math.randomseed(20261122)
request = function()
  local lon = {box[0]!r} + math.random() * {box[2] - box[0]!r}
  local lat = {box[1]!r} + math.random() * {box[3] - box[1]!r}
  return wrk.format("GET", string.format("/lookup?lon=%.7f&lat=%.7f", lon, lat))
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {{\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"status_errors\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d}}\\n",
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
""")
    out = subprocess.run(["wrk", "-t", "2", "-c", str(a.connections), "-d", f"{a.seconds}s", "--latency", "-s", lua,
                          f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True).stdout
    m = json.loads(re.search(r"JSON (\{.*\})", out).group(1))
    return {"engine": "urbangrid serve + wrk", "requests_per_s": round(m["requests"] / (m["duration_us"] / 1e6)),
            "p50_ms": m["p50_us"] / 1000, "p99_ms": m["p99_us"] / 1000, "errors": m["errors"] + m["status_errors"]}


def run_postgis(a, gpkg, box):
    """pgbench with the lookup query, over the Unix socket and over loopback TCP (the transport wrk uses with us)."""
    from pg import cluster
    tcp_port = free_port()
    with cluster(a.work, tcp_port=tcp_port) as (psql, sock, user):
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:host={sock} port={tcp_port} user=postgres dbname=bench", gpkg, "grids",
                        "-nln", "grids", "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST"], check=True)
        subprocess.run(psql + ["-c", "ANALYZE grids"], check=True)
        script = os.path.join(a.work, "lookup.sql")
        open(script, "w").write(f"""\\set x random(0, 999999999)
\\set y random(0, 999999999)
SELECT code FROM grids WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint({box[0]!r} + :x * {(box[2] - box[0]) / 1e9!r}, {box[1]!r} + :y * {(box[3] - box[1]) / 1e9!r}), 4326)) ORDER BY code LIMIT 1;
""")
        results = []
        for transport, host in (("unix socket", sock), ("loopback TCP", "127.0.0.1")):
            log = os.path.join(a.work, "pgbench-log")
            shutil.rmtree(log, ignore_errors=True)
            os.makedirs(log, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(log, "postgres")
            out = subprocess.run(user + ["pgbench", "-h", host, "-p", str(tcp_port), "-U", "postgres", "-n", "-M", "prepared",
                                         "-c", str(a.connections), "-j", "2", "-T", str(a.seconds), "-f", script, "-l",
                                         "--log-prefix", os.path.join(log, "tx"), "bench"],
                                 check=True, capture_output=True, text=True).stdout
            tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
            lat = []
            for f in os.listdir(log):
                for line in open(os.path.join(log, f)):
                    lat.append(int(line.split()[2]))
            lat.sort()
            failed = int(re.search(r"number of failed transactions: (\d+)", out).group(1)) if "failed transactions" in out else 0
            results.append({"engine": f"PostGIS + pgbench (prepared, {transport})", "requests_per_s": round(tps),
                            "p50_ms": lat[len(lat) // 2] / 1000, "p99_ms": lat[int(len(lat) * 0.99)] / 1000, "errors": failed})
        return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--keep", help="work folder to keep and reuse (the grid takes a while to build)")
    ap.add_argument("--log", default="notice,info",
                    help="URBANGRID_LOG values of the service, a run each (info writes an access-log line per request)")
    ap.add_argument("--serve-args", default="", help="extra arguments for urbangrid serve, e.g. '--connections 2'")
    a = ap.parse_args()
    a.serve_args = a.serve_args.split()
    a.work = a.keep or tempfile.mkdtemp(prefix="urbangrid-service-bench-")
    os.makedirs(a.work, exist_ok=True)
    os.chmod(a.work, 0o777)
    db = os.path.join(a.work, "city.sqlite")
    if not os.path.exists(db):
        build_city(a, a.work, db)
    cells = int(subprocess.run(["sqlite3", db, "SELECT count(*) FROM grids"], capture_output=True, text=True).stdout.strip() or 0)
    gpkg = os.path.join(a.work, "grids.gpkg")
    if not os.path.exists(gpkg):
        subprocess.run([os.path.join(a.bin, "urbangrid-export"), db, "--layer", "grids", "--format", "gpkg", "--out", gpkg],
                       check=True, stdout=subprocess.DEVNULL)
    box = lon_lat_box()
    runs = []
    for level in a.log.split(","):  # one server per access-log setting
        port = free_port()
        server = subprocess.Popen([os.path.join(a.bin, "urbangrid"), "serve", db, "--port", str(port)] + a.serve_args,
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.work, "serve.log"), "w"),
                                  env={**os.environ, "URBANGRID_LOG": level})
        try:
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            # the service builds its query indexes after it starts listening: wait for them (logged at notice level too)
            for _ in range(3000):
                if "query indexes ready" in open(os.path.join(a.work, "serve.log")).read():
                    break
                time.sleep(0.1)
            ours = run_wrk(a, port, box)
        finally:
            server.terminate()
            server.wait()
        ours["access_log"] = level in ("info", "debug", "trace")
        runs.append(ours)
    theirs = run_postgis(a, gpkg, box)
    for r in runs + theirs:
        r["cells"] = cells
        r["seconds"] = a.seconds
        r["connections"] = a.connections
        print(json.dumps(r))
    for ours in runs:
        print(f"lookups on {cells} cells, {a.connections} connections, {a.seconds} s: urbangrid {ours['requests_per_s']}/s "
              f"(p99 {ours['p99_ms']} ms, {ours['errors']} errors, access log {'on' if ours['access_log'] else 'off'})")
        for t in theirs:
            print(f"  vs {t['engine']}: {t['requests_per_s']}/s (p99 {t['p99_ms']} ms): ratio {ours['requests_per_s'] / t['requests_per_s']:.2f}x")
    if not a.keep:
        shutil.rmtree(a.work, ignore_errors=True)


if __name__ == "__main__":
    main()
