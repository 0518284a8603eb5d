#!/usr/bin/env python3
"""Independent cross-check of `urbangrid coverage --network walk|drive` (and so of the street graph, the
snapping at the projected position and the multi-source search) with Shapely 2, pyproj and SciPy.

Reads the demo streets, stations and the coverage JSON/GeoJSON of a database built from them, rebuilds the
network the README describes (ends within 2 cm one node; walk/drive permissions; one-way when driving; points
snap to the nearest usable segment of the largest connected part, at the projected position), and compares
every unit's nearest-station distance.

    python3 Tools/check/network_check.py out/demo.sqlite [--network walk|drive]

Exit status 1 when any unit differs by more than 1 mm or names another station (ties aside).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

NON_DRIVING = {"footway", "path", "steps", "pedestrian", "cycleway", "bridleway", "trail", "corridor", "elevator", "platform"}
NON_WALKING = {"motorway", "motorway_link"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--network", default="walk", choices=["walk", "drive"])
    ap.add_argument("--radius", default="500")
    ap.add_argument("--urbangrid", default=".build/debug/urbangrid")
    ap.add_argument("--streets", default="GeoData/helsinki/streets.geojson")
    ap.add_argument("--stations", default="GeoData/helsinki/stations.geojson")
    a = ap.parse_args()

    out = subprocess.run([a.urbangrid, "coverage", a.db, "--facilities", "stations", "--demand", "grids", "--radius", a.radius,
                          "--network", a.network, "--format", "geojson"], check=True, capture_output=True, text=True).stdout
    units = json.loads(out)["features"]
    # the cells at full precision (the coverage GeoJSON has 7 decimals, ~1 cm: enough to move a centroid by mm)
    exe = os.path.join(os.path.dirname(a.urbangrid), "urbangrid-export")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([exe, a.db, "--layer", "grids", "--format", "geojson", "--precision", "15", "--out", tmp + "/g.geojson"],
                       check=True, capture_output=True)
        exact = {f["id"]: f["geometry"] for f in json.load(open(tmp + "/g.geojson"))["features"]}
    for f in units:
        f["geometry"] = exact[f["id"]]
    tr = pyproj.Transformer.from_crs(4326, json.loads(subprocess.run(
        [a.urbangrid, "coverage", a.db, "--facilities", "stations", "--demand", "grids", "--radius", a.radius, "--format", "json"],
        check=True, capture_output=True, text=True).stdout)["crs"], always_xy=True)

    # the network
    segs = []
    for f in json.load(open(a.streets))["features"]:
        p = f["properties"]
        cls = p.get("highway")
        if a.network == "walk":
            ok = p["walk"] if p.get("walk") is not None else cls not in NON_WALKING
        else:
            ok = p["drive"] if p.get("drive") is not None else cls not in NON_DRIVING
        if not ok:
            continue
        xs, ys = tr.transform(*zip(*f["geometry"]["coordinates"]))
        segs.append((str(p["id"]), shapely.LineString(list(zip(xs, ys))), a.network == "drive" and bool(p.get("oneway"))))
    nodes, keys = [], {}

    def node(xy):  # ends within 2 cm are one node (the demo's shared ends are identical, so exact keys suffice here)
        k = (round(xy[0], 6), round(xy[1], 6))
        if k not in keys:
            keys[k] = len(nodes)
            nodes.append(xy)
        return keys[k]

    ends = [(node(l.coords[0]), node(l.coords[-1])) for _, l, _ in segs]
    n = len(nodes)
    rows, cols, w = [], [], []
    for (u, v), (_, l, one) in zip(ends, segs):
        rows.append(u); cols.append(v); w.append(l.length)
        if not one:
            rows.append(v); cols.append(u); w.append(l.length)
    # parallel arcs: keep the shortest (csr_matrix would add them up)
    best = {}
    for r, c, x in zip(rows, cols, w):
        if (r, c) not in best or x < best[(r, c)]:
            best[(r, c)] = x
    g = csr_matrix((list(best.values()), ([k[0] for k in best], [k[1] for k in best])), shape=(n, n))
    _, comp = connected_components(g, directed=True, connection="weak")
    length = {}
    for (u, _), (_, l, _) in zip(ends, segs):
        length[comp[u]] = length.get(comp[u], 0) + l.length
    big = max(length, key=length.get)
    snappable = [k for k, (u, _) in enumerate(ends) if comp[u] == big]
    tree = shapely.STRtree([segs[k][1] for k in snappable])

    def locate(x, y):
        p = shapely.Point(x, y)
        i = tree.nearest(p)
        k = snappable[int(i)]
        line = segs[k][1]
        return k, line.project(p), line.distance(p)

    stations = json.load(open(a.stations))["features"]
    src = []
    for f in stations:
        x, y = tr.transform(*f["geometry"]["coordinates"])
        src.append((str(f["id"]), locate(x, y)))

    # one Dijkstra per station (independent of our multi-source labelled search)
    def departures(loc):
        k, off, conn = loc
        u, v = ends[k]
        L, one = segs[k][1].length, segs[k][2]
        d = [(v, conn + L - off)]
        if not one or off == 0:
            d.append((u, conn + off))
        return d

    dist = []
    for _, loc in src:
        best_d = np.full(n, np.inf)
        for nd, m in departures(loc):
            dd = dijkstra(g, indices=nd) + m
            best_d = np.minimum(best_d, dd)
        dist.append(best_d)

    bad = 0
    for f in units:
        geom = shapely.geometry.shape(f["geometry"])
        metric = shapely.transform(geom, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        c = metric.centroid
        k, off, conn = locate(c.x, c.y)
        u, v = ends[k]
        L, one = segs[k][1].length, segs[k][2]
        cands = []
        for s, ((sid, sloc), d) in enumerate(zip(src, dist)):
            x = min(d[u] + off + conn, d[v] + (L - off) + conn if (not one or off == L) else np.inf)
            if sloc[0] == k and (off >= sloc[1] or not one):
                x = min(x, sloc[2] + abs(off - sloc[1]) + conn)
            cands.append((x, s))
        x, s = min(cands)
        ours = f["properties"]["distance_m"]
        ours_id = f["properties"]["facility_id"]
        if not np.isfinite(x):
            if ours is not None:
                bad += 1
                print("unit", f["id"], "reference unreachable, ours", ours)
            continue
        ties = {src[t][0] for y, t in cands if abs(y - x) <= 1e-6}
        if ours is None or abs(ours - x) > 0.001 or ours_id not in ties:
            bad += 1
            print("unit", f["id"], "reference", src[s][0], round(x, 3), "ours", ours_id, ours)
    print(f"{len(units)} units, {len(src)} stations, {a.network}: {bad} disagreements")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
