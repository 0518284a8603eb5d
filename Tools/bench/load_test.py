#!/usr/bin/env python3
"""The service at saturation: `urbangrid serve` driven by wrk on loopback, one endpoint after another, for SECONDS each,
with the server's memory sampled throughout. Run by Tools/load-test.sh (which builds release and installs wrk).

The city is the service benchmark's (Tools/bench/service_bench.py: the anchors' 20 km x 20 km `synth` box in 400
communities, a 160,000-cell grid of 50 m squares), plus, placed by a seeded generator: a street lattice (every 500 m
both ways), 300 vendor zones with opening hours, 5,000 hazards (imported after the grid, so each has its cell) and 200
stations. Each request draws a uniformly random spot, time or box (wrk's Lua, seeded):
    lookup     GET /lookup?lon=…&lat=…
    vendor     GET /vendor/check?lon=…&lat=…&at=2026-11-DDTHH:MM
    hazards    GET /hazards?near=LON,LAT&radius=50…500
    items      GET /collections/{grids|hazards|streets}/items?bbox=…(about 500 m)…&limit=100
Prints per endpoint: requests/s, p50/p99/max latency, socket errors and non-2xx answers (both must be 0), and the
server's RSS at the endpoint's start and end. Memory is flat when, for every endpoint, the RSS at its end is within
--rss-tolerance (2 %) of the RSS halfway through it: a leak per request grows without end, while the caches a new kind
of request fills (SQLite's page cache of each pooled connection, the allocator's arenas of its thread) level off
within the first half. The growth from the first endpoint's first --warmup seconds to the end is printed too.
Exits 1 otherwise.
    python3 Tools/bench/load_test.py [--bin .build/release] [--seconds 60] [--connections 8] [--keep DIR]
"""
import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_bench import BOX_3067, build_city, free_port, lon_lat_box  # noqa: E402


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def add_layers(a, work, db):
    """Streets, vendor zones, hazards and stations over the synth box, from a seeded generator."""
    from pyproj import Transformer
    t = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)

    def ll(x, y):
        lon, lat = t.transform(x, y)
        return [round(lon, 8), round(lat, 8)]

    x0, y0, x1, y1 = BOX_3067
    rnd = random.Random(20261122)
    streets = []
    for k in range(0, 41):
        x = x0 + k * 500
        y = y0 + k * 500
        # lines split every 500 m, so the network is noded by construction (from_node/to_node given)
        for s in range(40):
            streets.append({"type": "Feature", "id": f"ns{k}-{s}",
                            "properties": {"name": f"North-south {k}", "class": "residential", "from_node": f"n{k}-{s}", "to_node": f"n{k}-{s + 1}"},
                            "geometry": {"type": "LineString", "coordinates": [ll(x, y0 + s * 500), ll(x, y0 + (s + 1) * 500)]}})
            streets.append({"type": "Feature", "id": f"ew{k}-{s}",
                            "properties": {"name": f"East-west {k}", "class": "residential", "from_node": f"m{s}-{k}", "to_node": f"m{s + 1}-{k}"},
                            "geometry": {"type": "LineString", "coordinates": [ll(x0 + s * 500, y), ll(x0 + (s + 1) * 500, y)]}})
    hours = ["Mo-Su 17:00-22:00", "Mo-Fr 07:00-09:00", "Sa,Su 08:00-14:00", "24/7", "Mo-Fr 10:00-16:00; PH off", "Mo-Sa 06:00-10:00,16:00-20:00"]
    zones = []
    for z in range(300):
        cx, cy = x0 + rnd.random() * (x1 - x0 - 200), y0 + rnd.random() * (y1 - y0 - 200)
        w, h = 40 + rnd.random() * 160, 40 + rnd.random() * 160
        ring = [ll(cx, cy), ll(cx + w, cy), ll(cx + w, cy + h), ll(cx, cy + h), ll(cx, cy)]
        zones.append({"type": "Feature", "id": f"z{z}", "properties": {"name": f"Zone {z}", "kind": "market", "hours": hours[z % len(hours)]},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    hazards = [{"type": "Feature", "id": f"h{i}",
                "properties": {"class_code": ["0101", "0102", "0301"][i % 3], "status": "resolved" if i % 5 == 0 else "open",
                               "severity": 1 + i % 5, "reported_at": f"2026-11-{1 + i % 28:02d}T09:30:00+08:00"},
                "geometry": {"type": "Point", "coordinates": ll(x0 + rnd.random() * (x1 - x0), y0 + rnd.random() * (y1 - y0))}}
               for i in range(5000)]
    stations = [{"type": "Feature", "id": f"st{i}", "properties": {"name": f"Station {i}"},
                 "geometry": {"type": "Point", "coordinates": ll(x0 + rnd.random() * (x1 - x0), y0 + rnd.random() * (y1 - y0))}}
                for i in range(200)]
    ug = os.path.join(a.bin, "urbangrid")
    for layer, feats in [("streets", streets), ("vendor-zones", zones), ("hazards", hazards), ("stations", stations)]:
        path = os.path.join(work, f"{layer}.geojson")
        json.dump({"type": "FeatureCollection", "features": feats}, open(path, "w"))
        subprocess.run([ug, "import", db, "--layer", layer, path], check=True, stdout=subprocess.DEVNULL)


LUA_COMMON = """
math.randomseed(%(seed)d)
local W, S, E, N = %(w)r, %(s)r, %(e)r, %(n)r
local function spot() return W + math.random() * (E - W), S + math.random() * (N - S) end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"socket_errors\\": %%d, \\"non_2xx\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d, \\"max_us\\": %%d, \\"bytes\\": %%d}\\n",
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99), latency.max, summary.bytes))
end
"""

LUA = {
    "lookup": """
request = function()
  local lon, lat = spot()
  return wrk.format("GET", string.format("/lookup?lon=%.7f&lat=%.7f", lon, lat))
end
""",
    "vendor check": """
request = function()
  local lon, lat = spot()
  return wrk.format("GET", string.format("/vendor/check?lon=%.7f&lat=%.7f&at=2026-11-%02dT%02d:%02d", lon, lat,
    math.random(16, 29), math.random(0, 23), math.random(0, 59)))
end
""",
    "hazards": """
request = function()
  local lon, lat = spot()
  return wrk.format("GET", string.format("/hazards?near=%.7f,%.7f&radius=%d", lon, lat, math.random(50, 500)))
end
""",
    "items": """
local layers = {"grids", "hazards", "streets"}
request = function()
  local lon, lat = spot()
  local layer = layers[math.random(1, 3)]
  return wrk.format("GET", string.format("/collections/%s/items?bbox=%.7f,%.7f,%.7f,%.7f&limit=100", layer, lon, lat, lon + 0.009, lat + 0.0045))
end
""",
}


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Sampler(threading.Thread):
    def __init__(self, pid, every):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.stop = pid, every, [], threading.Event()
        self.t0 = time.monotonic()

    def run(self):
        t0 = self.t0 = time.monotonic()
        while not self.stop.is_set():
            r = rss_kib(self.pid)
            if r is not None:
                self.samples.append((time.monotonic() - t0, r))
            self.stop.wait(self.every)

    def at(self, t):
        """The last sample at or before t (seconds since the sampler started)."""
        best = self.samples[0][1]
        for s, r in self.samples:
            if s <= t:
                best = r
        return best


def run_wrk(a, port, name, box, seed):
    lua = os.path.join(a.work, f"load-{name.replace(' ', '-')}.lua")
    open(lua, "w").write(LUA_COMMON % {"seed": seed, "w": box[0], "s": box[1], "e": box[2], "n": box[3]} + LUA[name])
    out = subprocess.run(["wrk", "-t", "2", "-c", str(a.connections), "-d", f"{a.seconds}s", "--timeout", "10s", "--latency", "-s", lua,
                          f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True).stdout
    m = json.loads(re.search(r"JSON (\{.*\})", out).group(1))
    m["rps"] = m["requests"] / (m["duration_us"] / 1e6)
    return m


def raw_request(port, data, read_timeout=10):
    """Sends `data` (bytes, or a list of chunks sent in turn) and returns the status line, or what happened instead."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        for chunk in data if isinstance(data, list) else [data]:
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server closed early: read what it said
        try:
            head = s.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
        except (ConnectionResetError, socket.timeout) as e:
            return f"no answer ({type(e).__name__})"
        return head or "connection closed without an answer"
    finally:
        s.close()


def socket_limits(port):
    """Huge or abusive requests over a real socket: refused (4xx or the connection closed), never served or hung."""
    out = []
    long_uri = b"/lookup?lon=24.9&lat=60.1&pad=" + b"x" * 200_000
    st = raw_request(port, b"GET " + long_uri + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    out.append(("a 200 KB request line", st, not st.startswith("HTTP/1.1 2")))
    st = raw_request(port, b"GET /collections HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 200_000 + b"\r\n\r\n")
    out.append(("a 200 KB header", st, not st.startswith("HTTP/1.1 2")))
    st = raw_request(port, b"GET /collections HTTP/1.1\r\nHost: x\r\nContent-Length: 67108864\r\n\r\n" + b"z" * 65536)
    out.append(("a declared 64 MiB body on GET", st, " 413 " in st or not st.startswith("HTTP/1.1 2")))
    body = [b"POST /collections/stations/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"]
    body += [b"10000\r\n" + b"w" * 65536 + b"\r\n"] * 160 + [b"0\r\n\r\n"]
    st = raw_request(port, body)
    out.append(("a 10 MiB chunked POST", st, " 405 " in st or " 413 " in st or not st.startswith("HTTP/1.1 2")))
    st = raw_request(port, b"GET /lookup?lon=24.9&lat=60.1 HTTP/1.1\r\nHost: x\r\n\r\n")
    out.append(("then a plain lookup", st, st.startswith("HTTP/1.1 200")))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--keep", help="work folder to keep and reuse (the city takes a while to build)")
    ap.add_argument("--warmup", type=float, default=10, help="seconds of the first endpoint before the reference RSS")
    ap.add_argument("--rss-tolerance", type=float, default=0.02, help="growth allowed over an endpoint's second half")
    ap.add_argument("--sample", type=float, default=2, help="seconds between RSS samples")
    ap.add_argument("--endpoints", default="lookup,vendor check,hazards,items")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    a.work = a.keep or tempfile.mkdtemp(prefix="urbangrid-load-test-")
    os.makedirs(a.work, exist_ok=True)
    db = os.path.join(a.work, "city.sqlite")
    if not os.path.exists(db):
        tmp = db + ".building"
        for f in (tmp, tmp + "-wal", tmp + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        build_city(a, a.work, tmp)
        add_layers(a, a.work, tmp)
        os.rename(tmp, db)
    counts = subprocess.run(["sqlite3", db, "SELECT (SELECT count(*) FROM grids), (SELECT count(*) FROM streets), (SELECT count(*) FROM vendor_zones), "
                             "(SELECT count(*) FROM hazards), (SELECT count(*) FROM stations)"], capture_output=True, text=True, check=True).stdout.strip()
    print(f"city: grids|streets|vendor zones|hazards|stations = {counts}")
    box = lon_lat_box()
    port = free_port()
    serve_log = os.path.join(a.work, "serve.log")
    server = subprocess.Popen([os.path.join(a.bin, "urbangrid"), "serve", db, "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=open(serve_log, "w"), env={**os.environ, "URBANGRID_LOG": "notice"})
    failures = []
    results, halves = [], []
    try:
        for _ in range(3000):
            if "query indexes ready" in open(serve_log).read():
                break
            if server.poll() is not None:
                raise SystemExit("load-test: urbangrid serve exited:\n" + open(serve_log).read())
            time.sleep(0.1)
        else:
            raise SystemExit("load-test: the query indexes were not ready after 5 minutes")
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        sampler = Sampler(server.pid, a.sample)
        sampler.start()
        time.sleep(0.2)
        print(f"server pid {server.pid}, RSS at start {rss_kib(server.pid) / 1024:.1f} MiB; wrk -t2 -c{a.connections}, {a.seconds} s per endpoint")
        print(f"{'endpoint':14} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'sock err':>8} {'non-2xx':>7} "
              f"{'RSS start':>10} {'RSS end':>9}")
        for i, name in enumerate(a.endpoints.split(",")):
            t_start = time.monotonic()
            rss_start = rss_kib(server.pid)
            halves.append((name, t_start - sampler.t0 + a.seconds / 2))
            m = run_wrk(a, port, name, box, 1000 + i)
            rss_end = rss_kib(server.pid)
            if server.poll() is not None:
                failures.append(f"{name}: the server exited with {server.returncode}")
                break
            m.update(endpoint=name, rss_start_kib=rss_start, rss_end_kib=rss_end, seconds=a.seconds, connections=a.connections,
                     wall_s=round(time.monotonic() - t_start, 1))
            results.append(m)
            print(f"{name:14} {m['requests']:9d} {m['rps']:8.0f} {m['p50_us'] / 1000:7.2f} {m['p99_us'] / 1000:7.2f} {m['max_us'] / 1000:7.1f} "
                  f"{m['socket_errors']:8d} {m['non_2xx']:7d} {rss_start / 1024:8.1f} M {rss_end / 1024:7.1f} M", flush=True)
            if m["socket_errors"] or m["non_2xx"]:
                failures.append(f"{name}: {m['socket_errors']} socket errors, {m['non_2xx']} non-2xx answers")
        sampler.stop.set()
        sampler.join()
        ref = sampler.at(a.warmup)
        end = sampler.samples[-1][1]
        peak = max(r for _, r in sampler.samples)
        growth = (end - ref) / ref
        print(f"RSS: {ref / 1024:.1f} MiB after {a.warmup:.0f} s of warm-up, {end / 1024:.1f} MiB at the end, peak {peak / 1024:.1f} MiB "
              f"({growth * 100:+.1f} %, {len(sampler.samples)} samples every {a.sample:.0f} s)")
        for (name, half), r in zip(halves, results):
            mid, last = sampler.at(half), r["rss_end_kib"]
            second = (last - mid) / mid
            r["rss_second_half_growth"] = second
            print(f"RSS over the second half of {name}: {mid / 1024:.1f} → {last / 1024:.1f} MiB ({second * 100:+.2f} %): "
                  f"{'flat' if second <= a.rss_tolerance else 'NOT flat'}")
            if second > a.rss_tolerance:
                failures.append(f"{name}: RSS grew {second * 100:+.2f} % over the second half (tolerance {a.rss_tolerance * 100:.0f} %)")
        with open(os.path.join(a.work, "load-test.json"), "w") as f:
            json.dump({"results": results, "rss_samples_kib": sampler.samples, "date": time.strftime("%Y-%m-%d")}, f, indent=1)
        for name, status, ok in socket_limits(port):
            print(f"socket limit: {name}: {status}")
            if not ok:
                failures.append(f"socket limit: {name}: {status}")
        if server.poll() is not None:
            failures.append(f"the server exited with {server.returncode} after the socket-limit checks")
        served = open(serve_log).read()
        if " error" in served.lower():
            failures.append("the service logged errors: " + "; ".join(l for l in served.splitlines() if "error" in l.lower())[:500])
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print(f"load-test: {len(results)} endpoints, {sum(r['requests'] for r in results)} requests, "
          f"{sum(r['socket_errors'] + r['non_2xx'] for r in results)} errors, {len(failures)} failures")
    for f in failures:
        print("FAIL " + f)
    if not a.keep:
        shutil.rmtree(a.work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
