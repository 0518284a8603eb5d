#!/usr/bin/env python3
"""Grid build: `urbangrid grid build --shape square` against the same square grid built with Shapely 2
(vectorised: lattice boxes in the metric CRS, intersection with each community, areas, back to WGS84).
Input: 12 x 10 synthetic communities of 300 m x 300 m near Zibo (118.05E 36.81N, CGCS2000 GK CM 117E,
EPSG:4548), cell size 10 m: 900 cells per community, 108,000 cells in all. Median of --repeat runs.
    python3 Tools/bench/grid_bench.py [--urbangrid .build/release/urbangrid] [--repeat 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import pyproj
import shapely

COLS, ROWS, SIZE, CELL = 12, 10, 300.0, 10.0
X0, Y0 = 500000.0 + 4000.0, 4075000.0  # EPSG:4548 metres, on the lattice (multiples of the cell size)


def communities():
    out = []
    for r in range(ROWS):
        for c in range(COLS):
            out.append((f"370303001{r * COLS + c + 1:03d}", shapely.box(X0 + c * SIZE, Y0 + r * SIZE, X0 + (c + 1) * SIZE, Y0 + (r + 1) * SIZE)))
    return out


def shapely_grid(comms, to_ll):
    cells, areas = [], []
    for code, poly in comms:
        minx, miny, maxx, maxy = poly.bounds
        xs = np.arange(np.floor(minx / CELL) * CELL, maxx, CELL)
        ys = np.arange(np.floor(miny / CELL) * CELL, maxy, CELL)
        gx, gy = np.meshgrid(xs, ys)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + CELL, gy.ravel() + CELL)
        clipped = shapely.intersection(boxes, poly)
        a = shapely.area(clipped)
        keep = a > 0
        cells.append(shapely.transform(clipped[keep], lambda xy: np.column_stack(to_ll(xy[:, 0], xy[:, 1]))))
        areas.append(a[keep])
    return sum(len(c) for c in cells), float(sum(a.sum() for a in areas))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--urbangrid", default=".build/release/urbangrid")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    comms = communities()
    to_ll = pyproj.Transformer.from_crs(4548, 4326, always_xy=True).transform
    tmp = tempfile.mkdtemp(prefix="urbangrid-grid-")
    src = os.path.join(tmp, "communities.geojson")
    feats = []
    for code, poly in comms:
        ll = shapely.transform(poly, lambda xy: np.column_stack(to_ll(xy[:, 0], xy[:, 1])))
        feats.append({"type": "Feature", "properties": {"code": code, "level": "community", "name": code},
                      "geometry": json.loads(shapely.to_geojson(ll))})
    with open(src, "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f)
    base = os.path.join(tmp, "base.sqlite")
    subprocess.run([a.urbangrid, "init", base], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([a.urbangrid, "import", base, "--layer", "admin", src], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    ours, n_ours = [], None
    for _ in range(a.repeat):
        db = os.path.join(tmp, "run.sqlite")
        subprocess.run(["cp", base, db], check=True)
        t = time.perf_counter()
        out = subprocess.run([a.urbangrid, "grid", "build", db, "--shape", "square", "--cell-size", str(CELL), "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
        ours.append((time.perf_counter() - t) * 1e3)
        n_ours = out.count('"code"') or None
    theirs = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        n, area = shapely_grid(comms, to_ll)
        theirs.append((time.perf_counter() - t) * 1e3)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print(json.dumps({"case": "grid_square_108k", "engine": "urbangrid", "ms": round(mo, 1), "runs": [round(x, 1) for x in ours],
                      "note": "end to end: process start, read communities, build, store in one transaction"}))
    print(json.dumps({"case": "grid_square_108k", "engine": "shapely", "ms": round(mt, 1), "runs": [round(x, 1) for x in theirs],
                      "cells": n, "area_m2": round(area, 3), "note": "in memory, no storage"}))
    print(f"grid build {n} cells: urbangrid {mo:.0f} ms (with storage), shapely {mt:.0f} ms (in memory); ratio {mt / mo:.2f}x")


if __name__ == "__main__":
    main()
