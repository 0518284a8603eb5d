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
    ap.add_argument("--postgis", action=argparse.BooleanOptionalAction, default=os.path.exists("/usr/lib/postgresql/15/bin/initdb"),
                    help="also PostGIS (postgresql-15-postgis-3): the same lookups as one SQL statement")
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
    result = {"case": "lookup_batch", "points": a.n, "inside_grids": inside, "disagreements": wrong,
              "urbangrid_s": round(ours_s, 3), "shapely_s": round(shapely_s, 3),
              "urbangrid_points_per_s": round(a.n / ours_s), "shapely_points_per_s": round(a.n / shapely_s)}
    if a.postgis:
        postgis_s, pg_wrong = run_postgis(tmp, pts_csv, ours, nearest)
        wrong += pg_wrong
        result.update({"postgis_s": round(postgis_s, 3), "postgis_points_per_s": round(a.n / postgis_s), "postgis_disagreements": pg_wrong})
    print(json.dumps(result))
    print(f"batch lookup of {a.n} points (grid cell + nearest segment): urbangrid {ours_s:.2f} s end to end "
          f"(process, database, CSV, JSON out), Shapely {shapely_s:.2f} s in memory: ratio {shapely_s / ours_s:.2f}x; "
          f"{wrong} disagreements")
    if a.postgis:
        print(f"  PostGIS {postgis_s:.2f} s (points loaded with COPY, one statement, results out): ratio {postgis_s / ours_s:.2f}x")
    subprocess.run(["rm", "-rf", tmp])
    sys.exit(1 if wrong else 0)


def run_postgis(tmp, pts_csv, ours, nearest):
    """The same lookups in PostGIS: grids and streets loaded by ogr2ogr (GiST indexes, streets also in EPSG:32635),
    then, timed: the points loaded with COPY and one statement answering each — the covering cell with the smallest
    code (ST_Covers) and the nearest segment (KNN `<->` in EPSG:32635, exact) with its distance — written out with
    COPY. Returns (seconds, disagreements with urbangrid: grid codes, and segments beyond distance ties)."""
    from pg import cluster
    os.chmod(tmp, 0o777)
    with cluster(tmp) as (psql, sock, user):
        for layer in ("grids", "streets"):
            subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:host={sock} user=postgres dbname=bench",
                            os.path.join(tmp, f"{layer}.geojson"), "-nln", layer, "-lco", "GEOMETRY_NAME=geom",
                            "-lco", "SPATIAL_INDEX=GIST", "-lco", "FID=fid", "-preserve_fid"], check=True)
        subprocess.run(psql + ["-c", "ALTER TABLE streets ADD COLUMN geom_m geometry(Geometry, 32635);"
                               "UPDATE streets SET geom_m = ST_Transform(geom, 32635);"
                               "CREATE INDEX ON streets USING gist (geom_m); ANALYZE grids; ANALYZE streets;"], check=True)
        out = os.path.join(tmp, "postgis.csv")
        sql = f"""CREATE TEMP TABLE pts (i serial PRIMARY KEY, lon float8, lat float8);
\\copy pts (lon, lat) FROM '{pts_csv}' WITH (FORMAT csv, HEADER true)
\\copy (SELECT p.i - 1, g.code, s.fid, ST_Distance(s.geom_m, p.m) FROM (SELECT i, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g, ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 32635) AS m FROM pts) p LEFT JOIN LATERAL (SELECT code FROM grids WHERE ST_Covers(grids.geom, p.g) ORDER BY code LIMIT 1) g ON true LEFT JOIN LATERAL (SELECT fid, geom_m FROM streets ORDER BY streets.geom_m <-> p.m LIMIT 1) s ON true ORDER BY p.i) TO '{out}' WITH (FORMAT csv)
"""
        script = os.path.join(tmp, "lookup.sql")
        open(script, "w").write(sql)
        os.chmod(script, 0o644)
        t = time.perf_counter()
        subprocess.run(user + psql + ["-f", script], check=True)
        seconds = time.perf_counter() - t
    wrong = 0
    import csv
    for row in csv.reader(open(out)):
        i = int(row[0])
        code = row[1] or None
        if code != ours[i]["grid_code"]:
            wrong += 1
            if wrong < 5:
                print(f"point {i}: urbangrid {ours[i]['grid_code']}, PostGIS {code}")
        d = float(row[3]) if row[3] else None
        if row[2] != ours[i]["segment_id"] and (d is None or abs(d - ours[i]["segment_distance_m"]) > 0.0015):
            wrong += 1
            if wrong < 5:
                print(f"point {i}: urbangrid segment {ours[i]['segment_id']} {ours[i]['segment_distance_m']}, PostGIS {row[2]} {d}")
    return seconds, wrong


if __name__ == "__main__":
    main()
