#!/usr/bin/env python3
"""Export throughput: `urbangrid-export` against `ogr2ogr` (GDAL) writing the same 1,000,000 points to GeoJSON and
GeoJSONSeq, in one run, median of --repeat runs, with each process's peak memory (ru_maxrss from wait4).

The points: the anchors' `helsinki` case (../shared/anchors/FORMAT.md: splitmix64 seed 20240601 over the EPSG:3067
box), taken to WGS84 with pyproj, with three attributes (weight real, a_int, a_text) as in RESULTS.md §3. They are
loaded once into an UrbanGrid database (layer `demand`) and, for GDAL, into a GeoPackage in WGS84 by ogr2ogr from the
same GeoJSONSeq file. GDAL writes RFC 7946 output (-lco RFC7946=YES: 7 decimals, WGS84, right-hand winding), the same
contract urbangrid-export keeps by default; neither reprojects, both read a spatial database.
    python3 Tools/bench/export_bench.py [--bin .build/release] [--n 1000000] [--repeat 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import splitmix64_u  # the same stream as every other case


def timed(cmd):
    """Runs cmd; returns (ms, peak RSS in MB) of that process alone."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    ms = (time.perf_counter() - t) * 1e3
    err = p.stderr.read().decode()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err}")
    return ms, usage.ru_maxrss / 1024


def generate(a, tmp, db, gpkg):
    from pyproj import Transformer

    src = os.path.join(tmp, "points.geojsonl")
    minx, miny, maxx, maxy = 385412.539, 6671452.861, 386475.93, 6673149.065
    u = splitmix64_u(20240601, 2 * a.n)
    xs = [minx + u[2 * i] * (maxx - minx) for i in range(a.n)]
    ys = [miny + u[2 * i + 1] * (maxy - miny) for i in range(a.n)]
    lon, lat = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True).transform(xs, ys)
    with open(src, "w") as f:
        for i in range(a.n):
            f.write(json.dumps({"type": "Feature", "id": i, "properties": {"weight": round(u[2 * i] * 1000, 3), "a_int": i, "a_text": f"feature {i}"},
                                "geometry": {"type": "Point", "coordinates": [round(lon[i], 9), round(lat[i], 9)]}}, separators=(",", ":")) + "\n")
    subprocess.run([os.path.join(a.bin, "urbangrid"), "init", db], check=True, stdout=subprocess.DEVNULL)
    t = time.perf_counter()
    subprocess.run([os.path.join(a.bin, "urbangrid"), "import", db, "--layer", "demand", src], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"# loaded {a.n} points into {db} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, src, "-nln", "demand"], check=True, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="work directory to keep and reuse (default: a temporary one, removed)")
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)  # internal: build the inputs
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="urbangrid-export-bench-")
    os.makedirs(tmp, exist_ok=True)
    db = os.path.join(tmp, "bench.sqlite")
    gpkg = os.path.join(tmp, "bench.gpkg")
    if a.generate:
        generate(a, tmp, db, gpkg)
        return
    if not os.path.exists(db):
        # in a child process, so that this one stays small: a process forked from a big one inherits its peak RSS
        subprocess.run([sys.executable, os.path.abspath(__file__), "--generate", "--bin", a.bin, "--n", str(a.n), "--keep", tmp], check=True)
    cases = {
        "geojson": {
            "urbangrid": [os.path.join(a.bin, "urbangrid-export"), db, "--layer", "demand", "--format", "geojson", "--out", os.path.join(tmp, "u.geojson")],
            "ogr2ogr": ["ogr2ogr", "-f", "GeoJSON", "-lco", "RFC7946=YES", os.path.join(tmp, "g.geojson"), gpkg, "demand"],
        },
        "geojsonseq": {
            "urbangrid": [os.path.join(a.bin, "urbangrid-export"), db, "--layer", "demand", "--format", "geojsonseq", "--out", os.path.join(tmp, "u.geojsons")],
            "ogr2ogr": ["ogr2ogr", "-f", "GeoJSONSeq", os.path.join(tmp, "g.geojsons"), gpkg, "demand"],
        },
    }
    outputs = {"geojson": {"urbangrid": "u.geojson", "ogr2ogr": "g.geojson"}, "geojsonseq": {"urbangrid": "u.geojsons", "ogr2ogr": "g.geojsons"}}
    for case, engines in cases.items():
        res = {}
        for engine, cmd in engines.items():
            runs = []
            for _ in range(a.repeat):
                out = os.path.join(tmp, outputs[case][engine])
                if os.path.exists(out):
                    os.remove(out)
                runs.append(timed(cmd))
            ms = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            size = os.path.getsize(os.path.join(tmp, outputs[case][engine])) / 1e6
            res[engine] = ms
            print(json.dumps({"case": f"export_{case}", "engine": engine, "ms": round(ms, 1), "runs_ms": [round(r[0], 1) for r in runs],
                              "peak_rss_mb": round(rss, 1), "output_mb": round(size, 1), "kfeatures_per_s": round(a.n / ms, 1),
                              "mb_per_s": round(size / ms * 1e3, 1)}))
        print(f"export {a.n} points to {case}: urbangrid {res['urbangrid']:.0f} ms, ogr2ogr {res['ogr2ogr']:.0f} ms, "
              f"ratio {res['ogr2ogr'] / res['urbangrid']:.2f}x (ogr2ogr time / urbangrid time)")
    # both engines wrote the same features: same count, and the same coordinates and attributes line by line
    ours = open(os.path.join(tmp, "u.geojsons"), "rb").read().split(b"\x1e")[1:]
    theirs = [line for line in open(os.path.join(tmp, "g.geojsons"), "rb").read().split(b"\n") if line.strip()]
    same = len(ours) == len(theirs) == a.n
    for x, y in zip(ours[:1000], theirs[:1000]):
        fx, fy = json.loads(x.lstrip(b"\x1e")), json.loads(y.lstrip(b"\x1e"))
        same &= fx["geometry"] == fy["geometry"] and fx["properties"] == fy["properties"]
    print(f"outputs agree (count {len(ours)} / {len(theirs)}, first 1000 features' geometry and properties): {'yes' if same else 'NO'}")
    if not a.keep:
        subprocess.run(["rm", "-rf", tmp])
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
