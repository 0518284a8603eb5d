#!/usr/bin/env python3
"""Import throughput: `urbangrid import` (GeoJSON -> checked, WGS84, one transaction, R*Tree) against
`ogr2ogr -f SQLite -dsco SPATIALITE=YES` (GDAL) loading the same file, end to end, median of --repeat runs.
The input: N points (default 200,000) over the Helsinki lon/lat box from the splitmix64 stream (seed
20240605), properties {id, kind, name}. Prints one JSON line per engine and the ratio.
    python3 Tools/bench/import_bench.py [--urbangrid .build/release/urbangrid] [--n 200000] [--repeat 3]
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


def run(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--urbangrid", default=".build/release/urbangrid")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="urbangrid-import-")
    src = os.path.join(tmp, "points.geojson")
    u = splitmix64_u(20240605, 2 * a.n)
    kinds = ["school", "clinic", "kiosk", "manhole"]
    with open(src, "w") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(",\n".join(
            json.dumps({"type": "Feature", "id": i, "properties": {"id": i, "kind": kinds[i % 4], "name": f"poi {i}"},
                        "geometry": {"type": "Point", "coordinates": [round(24.93 + u[2 * i] * 0.03, 7), round(60.16 + u[2 * i + 1] * 0.02, 7)]}},
                       separators=(",", ":")) for i in range(a.n)))
        f.write("\n]}\n")
    results = {}
    for engine in ["urbangrid", "ogr2ogr"]:
        runs = []
        for _ in range(a.repeat):
            db = os.path.join(tmp, f"{engine}.sqlite")
            for s in ("", "-wal", "-shm"):
                if os.path.exists(db + s):
                    os.remove(db + s)
            if engine == "urbangrid":
                subprocess.run([a.urbangrid, "init", db], check=True, stdout=subprocess.DEVNULL)
                runs.append(run([a.urbangrid, "import", db, "--layer", "pois", src]))
            else:
                runs.append(run(["ogr2ogr", "-f", "SQLite", "-dsco", "SPATIALITE=YES", db, src]))
        ms = statistics.median(runs)
        results[engine] = ms
        print(json.dumps({"case": "import_geojson", "engine": engine, "ms": round(ms, 1), "runs": [round(r, 1) for r in runs],
                          "features": a.n, "kfeatures_per_s": round(a.n / ms, 1)}))
    print(f"import {a.n} points: urbangrid {results['urbangrid']:.0f} ms, ogr2ogr {results['ogr2ogr']:.0f} ms, "
          f"ratio {results['ogr2ogr'] / results['urbangrid']:.2f}x (ogr2ogr time / urbangrid time)")


if __name__ == "__main__":
    main()
