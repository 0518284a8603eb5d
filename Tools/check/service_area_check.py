#!/usr/bin/env python3
"""Independent cross-check of `urbangrid service-area` with Shapely 2, pyproj and SciPy, by another method: every
usable street segment is cut into pieces of at most 1 m (a directed chain for one-way streets when driving), the
spot is joined to the foot of its perpendicular on the nearest segment of the largest connected part, and SciPy's
Dijkstra gives every piece end its distance; each piece is reached for the remaining distance from its ends. The
total reached length must agree with urbangrid's `reached_length_m` (rounded to the mm) within 1 cm.

    python3 Tools/check/service_area_check.py out/demo.sqlite [--network walk|drive] [--radius 300] [--spots 20]

Exit status 1 when any spot differs.
"""
import argparse
import json
import math
import random
import subprocess
import sys

import numpy as np
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from network_check import NON_DRIVING, NON_WALKING  # the classes the modes leave out, stated once for both checks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--network", default="walk", choices=["walk", "drive"])
    ap.add_argument("--radius", type=float, default=300)
    ap.add_argument("--spots", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--urbangrid", default=".build/debug/urbangrid")
    ap.add_argument("--streets", default="GeoData/helsinki/streets.geojson")
    a = ap.parse_args()

    data = json.load(open(a.streets))
    first = None
    segs = []
    for f in data["features"]:
        p = f["properties"]
        cls = p.get("highway")
        ok = (p["walk"] if p.get("walk") is not None else cls not in NON_WALKING) if a.network == "walk" else \
             (p["drive"] if p.get("drive") is not None else cls not in NON_DRIVING)
        if ok:
            segs.append((f["geometry"]["coordinates"], a.network == "drive" and bool(p.get("oneway"))))
    w, s, e, n = data["bbox"]
    tr = pyproj.Transformer.from_crs(4326, f"EPSG:{32600 + int((((w + e) / 2) + 180) // 6) + 1}", always_xy=True)
    lines = []
    for coords, one in segs:
        xs, ys = tr.transform(*zip(*coords))
        lines.append((shapely.LineString(list(zip(xs, ys))), one))

    # the densified graph: segment ends are shared nodes (exact positions), interior pieces ≤ 1 m
    keys, pts = {}, []

    def node(xy):
        k = (round(xy[0], 6), round(xy[1], 6))
        if k not in keys:
            keys[k] = len(pts)
            pts.append(xy)
        return keys[k]

    rows, cols, wts = [], [], []
    chains = []  # per segment: node ids along it and their offsets
    for line, one in lines:
        L = line.length
        k = max(1, math.ceil(L))
        offs = [L * i / k for i in range(k + 1)]
        ids = [node(line.coords[0])] + [None] * (k - 1) + [node(line.coords[-1])]
        for i in range(1, k):
            ids[i] = len(pts)
            q = line.interpolate(offs[i])
            pts.append((q.x, q.y))
        for i in range(k):
            rows.append(ids[i]); cols.append(ids[i + 1]); wts.append(offs[i + 1] - offs[i])
            if not one:
                rows.append(ids[i + 1]); cols.append(ids[i]); wts.append(offs[i + 1] - offs[i])
        chains.append((ids, offs))
    # parallel arcs: the shortest
    best = {}
    for r, c, x in zip(rows, cols, wts):
        if (r, c) not in best or x < best[(r, c)]:
            best[(r, c)] = x
    N = len(pts) + 2  # two extra: the snap position, the spot
    seg_nodes = [(chains[i][0][0], chains[i][0][-1]) for i in range(len(lines))]
    g0 = csr_matrix((list(best.values()), ([k[0] for k in best], [k[1] for k in best])), shape=(len(pts), len(pts)))
    _, comp = connected_components(g0, directed=True, connection="weak")
    length = {}
    for (u, _), (line, _) in zip(seg_nodes, lines):
        length[comp[u]] = length.get(comp[u], 0) + line.length
    big = max(length, key=length.get)
    snappable = [i for i, (u, _) in enumerate(seg_nodes) if comp[u] == big]
    tree = shapely.STRtree([lines[i][0] for i in snappable])

    rnd = random.Random(a.seed)
    bad = 0
    for t in range(a.spots):
        lon, lat = w + rnd.random() * (e - w), s + rnd.random() * (n - s)
        x, y = tr.transform(lon, lat)
        sp = shapely.Point(x, y)
        i = snappable[int(tree.nearest(sp))]
        line, one = lines[i]
        off, conn = line.project(sp), line.distance(sp)
        ids, offs = chains[i]
        # join the snap position to its piece's two ends (forwards only on a one-way street)
        j = min(max(1, int(np.searchsorted(offs, off))), len(offs) - 1)
        extra = dict(best)
        S, P = N - 2, N - 1
        extra[(P, S)] = conn
        extra[(S, ids[j])] = offs[j] - off
        if not one or off == offs[j - 1]:
            extra[(S, ids[j - 1])] = off - offs[j - 1]
        g = csr_matrix((list(extra.values()), ([k[0] for k in extra], [k[1] for k in extra])), shape=(N, N))
        d = dijkstra(g, indices=P, limit=a.radius + 2)
        R = a.radius

        def reached(piece, da, db, one):  # length of a piece within R from its ends (only from its start when one-way)
            ra = max(0.0, R - da) if np.isfinite(da) else 0.0
            rb = max(0.0, R - db) if (np.isfinite(db) and not one) else 0.0
            return min(piece, ra + rb)

        ref = 0.0
        for k, (ids_k, offs_k) in enumerate(chains):
            for q in range(len(ids_k) - 1):
                if k == i and q == j - 1:  # the snap piece: the snap position is a node in it
                    ds = conn
                    ref += reached(off - offs[j - 1], d[ids_k[q]], ds, one) + reached(offs[j] - off, ds, d[ids_k[q + 1]], one)
                    continue
                ref += reached(offs_k[q + 1] - offs_k[q], d[ids_k[q]], d[ids_k[q + 1]], lines[k][1])
        r = subprocess.run([a.urbangrid, "service-area", a.db, "--lon", repr(lon), "--lat", repr(lat), "--radius", repr(a.radius),
                            "--network", a.network, "--format", "json"], capture_output=True, text=True)
        ours = json.loads(r.stdout)["reached_length_m"]
        ok = abs(ours - ref) <= 0.01 + 1e-6 * ref
        bad += not ok
        print(f"spot {t}: {lon:.6f},{lat:.6f} ours {ours:.3f} m, reference {ref:.3f} m {'ok' if ok else 'DIFFERENT'}")
    print(f"{a.spots} spots, {a.network}, radius {a.radius} m: {bad} differ by more than 1 cm")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
