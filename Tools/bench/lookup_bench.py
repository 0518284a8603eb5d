#!/usr/bin/env python3
"""Batch lookup: `urbangrid lookup --points` against Shapely 2 on the same grid, streets and points, and a
correctness check of every answer.

For N random points (splitmix64, seed 20261122) over the demo grid's extent, both engines answer: the grid cell
covering the point and the nearest street segment with its distance. Shapely uses its STRtree (`query` with
`covers`, the smallest code on ties, as UrbanGrid documents; `query_nearest` for streets, distances in the same UTM
zone via pyproj). Every grid code and segment must agree (segment ties aside: equal distances), and distances to
1 mm. Prints points/s for each and the ratio. Reads the database through `urbangrid-export` (GeoJSON).
    python3 Tools/bench/lookup_bench.py [--db out/demo.sqlite] [--bin .build/release] [--n 200000]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import splitmix64_u


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="out/demo.sqlite")
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--n", type=int, default=200_000)
    a = ap.parse_args()
    import numpy as np
    import shapely
    from pyproj import Transformer

    tmp = tempfile.mkdtemp(prefix="urbangrid-lookup-")
    for layer in ("grids", "streets"):
        subprocess.run([os.path.join(a.bin, "urbangrid-export"), a.db, "--layer", layer, "--format", "geojson",
                        "--precision", "15", "--out", os.path.join(tmp, f"{layer}.geojson")], check=True, stdout=subprocess.DEVNULL)
    grids = json.load(open(os.path.join(tmp, "grids.geojson")))["features"]
    streets = json.load(open(os.path.join(tmp, "streets.geojson")))["features"]
    cells = shapely.from_geojson([json.dumps(f["geometry"]) for f in grids])
    codes = np.array([f["properties"]["code"] for f in grids])
    minx, miny, maxx, maxy = shapely.total_bounds(cells)
    u = splitmix64_u(20261122, 2 * a.n)
    xs = np.array([minx + u[2 * i] * (maxx - minx) for i in range(a.n)])
    ys = np.array([miny + u[2 * i + 1] * (maxy - miny) for i in range(a.n)])
    pts_csv = os.path.join(tmp, "points.csv")
    with open(pts_csv, "w") as f:
        f.write("lon,lat\n")
        for x, y in zip(xs, ys):
            f.write(f"{float(x)!r},{float(y)!r}\n")

    t = time.perf_counter()
    out = subprocess.run([os.path.join(a.bin, "urbangrid"), "lookup", a.db, "--points", pts_csv, "--format", "json"],
                         check=True, capture_output=True).stdout
    ours_s = time.perf_counter() - t
    ours = json.loads(out)

    t = time.perf_counter()
    utm = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)  # the zone UrbanGrid chooses for Helsinki
    points = shapely.points(xs, ys)
    tree = shapely.STRtree(cells)
    pi, ci = tree.query(points, predicate="covered_by")
    best = {}
    for p, c in zip(pi, ci):
        if p not in best or codes[c] < best[p]:
            best[p] = codes[c]
    lines = shapely.from_geojson([json.dumps(f["geometry"]) for f in streets])
    line_ids = [str(f["id"]) for f in streets]
    lines_m = shapely.transform(lines, lambda c: np.column_stack(utm.transform(c[:, 0], c[:, 1])))
    px, py = utm.transform(xs, ys)
    pts_m = shapely.points(px, py)
    stree = shapely.STRtree(lines_m)
    (qi, li), dist = stree.query_nearest(pts_m, return_distance=True, all_matches=True)
    nearest = {}
    for q, l, d in zip(qi, li, dist):
        nearest.setdefault(q, []).append((line_ids[l], d))
    shapely_s = time.perf_counter() - t

    wrong = 0
    for i, r in enumerate(ours):
        if r["grid_code"] != best.get(i):
            wrong += 1
            if wrong < 5:
                print(f"point {i} ({xs[i]}, {ys[i]}): urbangrid {r['grid_code']}, Shapely {best.get(i)}")
        segs = nearest.get(i, [])
        if not segs or r["segment_id"] not in [s for s, _ in segs] or abs(r["segment_distance_m"] - segs[0][1]) > 0.0015:
            wrong += 1
            if wrong < 5:
                print(f"point {i}: segment {r['segment_id']} {r['segment_distance_m']} vs Shapely {segs[:2]}")
    inside = sum(1 for r in ours if r["grid_code"])
    print(json.dumps({"case": "lookup_batch", "points": a.n, "inside_grids": inside, "disagreements": wrong,
                      "urbangrid_s": round(ours_s, 3), "shapely_s": round(shapely_s, 3),
                      "urbangrid_points_per_s": round(a.n / ours_s), "shapely_points_per_s": round(a.n / shapely_s)}))
    print(f"batch lookup of {a.n} points (grid cell + nearest segment): urbangrid {ours_s:.2f} s end to end "
          f"(process, database, CSV, JSON out), Shapely {shapely_s:.2f} s in memory: ratio {shapely_s / ours_s:.2f}x; "
          f"{wrong} disagreements")
    subprocess.run(["rm", "-rf", tmp])
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
