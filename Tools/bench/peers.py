#!/usr/bin/env python3
"""Peers' side of UrbanGrid's benchmark (Shapely 2 / GEOS, pyproj / PROJ, Python json).

Prints one JSON object per line to stdout:
  {"case", "engine", "ms" (median), "runs" [ms...], "matched"?, "checksum"?, "note", ...}
Each engine is run once to warm up, then --repeat times; only the named operation is timed
(inputs are built before timing, as the anchors in shared/anchors/RESULTS.md did).
Progress goes to stderr. Inputs: shared/anchors (FORMAT.md has the splitmix64 point recipe).

Fields used for cross-checking with UrbanGrid's own output (Tools/bench/compare.py):
  pip_*          matched  = number of (point, cell) pairs
                 checksum = sum of cell_id over those pairs
  proj_bulk      checksum = sum(x) + sum(y) of the EPSG:3067 output
  geojson_*      matched  = number of features (geometries) handled
"""
import argparse
import csv
import hashlib
import json
import os
import statistics
import sys
import time

try:
    import numpy as np
    import pyproj
    import shapely
    from shapely.geometry import mapping, shape
except ImportError as e:
    sys.exit(f"peers.py needs numpy, shapely>=2.0 and pyproj>=3.6 ({e}).\n"
             f"Install them with: python3 -m pip install -r Tools/bench/requirements.txt")
if int(shapely.__version__.split(".")[0]) < 2:
    sys.exit(f"peers.py needs shapely>=2.0, found {shapely.__version__}")

CASES = ["pip_helsinki", "pip_synth", "proj_bulk", "geojson_parse", "geojson_write"]
N_POINTS = 1_000_000
N_FEATURES = 200_000
SYNTH_BOX = [375000.0, 6662000.0, 395000.0, 6682000.0]
LONLAT_BOX = [24.93, 60.16, 24.96, 60.18]  # proj_bulk and geojson coordinates


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def emit(case, engine, runs, note, **extra):
    rec = {"case": case, "engine": engine, "ms": round(statistics.median(runs), 3),
           "runs": [round(r, 3) for r in runs], **extra, "note": note}
    print(json.dumps(rec), flush=True)
    log(f"  {case:15} {engine:34} {rec['ms']:10.1f} ms")


def timed(fn, repeat, warmup=True):
    """Run fn once untimed (warm-up), then `repeat` timed runs. Returns (runs_ms, last result)."""
    if warmup:
        fn()
    runs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append((time.perf_counter() - t0) * 1e3)
    return runs, out


def splitmix64_u(seed, n):
    """u_1..u_n of FORMAT.md's splitmix64 stream, as float64 in [0,1). uint64 arithmetic wraps."""
    k = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + k * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def gen_points(seed, box, n=N_POINTS):
    u = splitmix64_u(seed, 2 * n)
    minx, miny, maxx, maxy = box
    x = minx + u[0::2] * (maxx - minx)  # numpy: separate multiply and add, no FMA
    y = miny + u[1::2] * (maxy - miny)
    return x, y


def points_sha256(x, y):
    a = np.empty(2 * len(x), dtype="<f8")
    a[0::2], a[1::2] = x, y
    return hashlib.sha256(a.tobytes()).hexdigest()


# ---------------------------------------------------------------- point in polygon

def pip_engines(case, cells, cell_ids, x, y, expected, repeat, strtree_points):
    log(f"{case}: setup")
    runs, points = timed(lambda: shapely.points(x, y), repeat)
    emit(case + "_setup", "shapely_points", runs, "shapely.points(x, y) for 1M points")
    runs, cell_tree = timed(lambda: shapely.STRtree(cells), repeat)
    emit(case + "_setup", "shapely_strtree_cells_build", runs, f"STRtree over {len(cells)} cells")
    if strtree_points:
        runs, point_tree = timed(lambda: shapely.STRtree(points), repeat)
        emit(case + "_setup", "shapely_strtree_points_build", runs, "STRtree over 1M points")
    shapely.prepare(cells)  # the prepared path's cells are prepared once, before timing

    def check(engine, pairs_cell_idx):
        n = len(pairs_cell_idx)
        assert n == expected, f"{case}/{engine}: {n} pairs, expected {expected}"
        return {"matched": n, "checksum": int(cell_ids[pairs_cell_idx].sum())}

    # STRtree(cells).query(points, 'intersects') -> [point_idx, cell_idx]
    runs, pairs = timed(lambda: cell_tree.query(points, predicate="intersects"), repeat)
    emit(case, "shapely_strtree_intersects", runs,
         "STRtree(cells).query(points, predicate='intersects'); tree and points built before timing",
         **check("shapely_strtree_intersects", pairs[1]))

    def prepared_contains_xy():
        pi, ci = cell_tree.query(points)  # bbox candidates
        keep = shapely.contains_xy(cells[ci], x[pi], y[pi])
        return ci[keep]

    runs, ci = timed(prepared_contains_xy, repeat)
    emit(case, "shapely_prepared_contains_xy", runs,
         "bbox STRtree(cells).query(points) + contains_xy on prepared cells (prepare before timing)",
         **check("shapely_prepared_contains_xy", ci))

    if strtree_points:
        # STRtree(points).query(cells, 'contains') -> [cell_idx, point_idx]
        runs, pairs = timed(lambda: point_tree.query(cells, predicate="contains"), repeat)
        emit(case, "shapely_strtree_points_contains", runs,
             "STRtree(points).query(cells, predicate='contains'); tree build excluded",
             **check("shapely_strtree_points_contains", pairs[0]))


def case_pip_helsinki(args, meta):
    with open(os.path.join(args.anchors, "helsinki_cells_100m.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    cells = shapely.from_wkt([r["wkt"] for r in rows])
    cell_ids = np.array([int(r["cell_id"]) for r in rows], dtype=np.int64)
    assert len(cells) == meta["n_cells"] == 198
    x, y = gen_points(meta["seed_helsinki"], meta["points_box"])
    assert (x[0], y[0]) == (385439.6591755452, 6672528.404361055), (x[0], y[0])
    assert points_sha256(x, y) == meta["points_sha256_helsinki"], "helsinki points differ from anchors"
    pip_engines("pip_helsinki", cells, cell_ids, x, y, 934_673, args.repeat, strtree_points=False)


def case_pip_synth(args, meta):
    s = meta["synth"]
    n, size, x0, y0 = s["n"], s["cell"], s["x0"], s["y0"]
    row, col = np.divmod(np.arange(n * n, dtype=np.int64), n)  # cell_id = row*n + col
    cells = shapely.box(x0 + col * size, y0 + row * size, x0 + (col + 1) * size, y0 + (row + 1) * size)
    cell_ids = np.arange(n * n, dtype=np.int64)
    x, y = gen_points(s["seed"], SYNTH_BOX)
    assert points_sha256(x, y) == meta["points_sha256_synth"], "synth points differ from anchors"
    pip_engines("pip_synth", cells, cell_ids, x, y, 1_000_000, args.repeat, strtree_points=True)


# ---------------------------------------------------------------- projection

def case_proj_bulk(args, meta):
    u = splitmix64_u(20240603, 2 * N_POINTS)
    lon = LONLAT_BOX[0] + u[0::2] * 0.03
    lat = LONLAT_BOX[1] + u[1::2] * 0.02
    tr = pyproj.Transformer.from_crs(4326, 3067, always_xy=True)
    log("proj_bulk")
    runs, (ex, ny) = timed(lambda: tr.transform(lon, lat), args.repeat)
    emit("proj_bulk", "pyproj", runs,
         f"Transformer.from_crs(4326, 3067, always_xy=True).transform on 1M numpy lon/lat "
         f"(creation excluded); pyproj {pyproj.__version__}, PROJ {pyproj.proj_version_str}",
         checksum=float(np.sum(ex) + np.sum(ny)))


# ---------------------------------------------------------------- GeoJSON

def build_features():
    u = splitmix64_u(20240604, 8 * N_FEATURES).reshape(N_FEATURES, 4, 2)
    lon = LONLAT_BOX[0] + u[:, :, 0] * 0.03
    lat = LONLAT_BOX[1] + u[:, :, 1] * 0.02
    coords = np.stack([lon, lat], axis=2).tolist()
    props = [{"id": i, "name": "street " + str(i), "length_m": i * 0.5, "oneway": i % 2 == 0}
             for i in range(N_FEATURES)]
    features = [{"type": "Feature", "id": i,
                 "geometry": {"type": "LineString", "coordinates": coords[i]},
                 "properties": props[i]} for i in range(N_FEATURES)]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return text.encode(), props


def geojson_input(path):
    data, props = build_features()
    if not os.path.exists(path) or open(path, "rb").read() != data:
        log(f"writing {path}")
        with open(path, "wb") as f:
            f.write(data)
    return data, props


def case_geojson_parse(args, meta):
    data, _ = geojson_input(args.geojson_file)
    mb = round(len(data) / 1e6, 3)
    common = {"matched": N_FEATURES, "mb": mb, "bytes": len(data),
              "sha256": hashlib.sha256(data).hexdigest()}
    log("geojson_parse")

    def python_json_shapely():
        fc = json.loads(data)
        return [shape(f["geometry"]) for f in fc["features"]], fc

    runs, _ = timed(lambda: json.loads(data), args.repeat)
    emit("geojson_parse", "python_json_loads", runs,
         "json.loads(bytes in memory) only: dicts and lists, no geometry objects", **common)

    runs, (geoms, fc) = timed(python_json_shapely, args.repeat)
    assert len(geoms) == N_FEATURES and geoms[1].equals(shapely.from_geojson(
        json.dumps(fc["features"][1]["geometry"])))
    emit("geojson_parse", "python_json_shapely", runs,
         "json.loads(bytes in memory) + shapely.geometry.shape per feature (properties kept as dicts)",
         **common)

    geom_strings = np.array([json.dumps(f["geometry"], separators=(",", ":")) for f in fc["features"]],
                            dtype=object)
    runs, g2 = timed(lambda: shapely.from_geojson(geom_strings), args.repeat)
    assert len(g2) == N_FEATURES
    emit("geojson_parse", "shapely_from_geojson", runs,
         "vectorised shapely.from_geojson on the 200k geometry strings, pre-extracted (geometry only, "
         "no properties, no FeatureCollection framing); mb is the whole file's", **common)

    runs, gc = timed(lambda: shapely.from_geojson(data), args.repeat)
    assert shapely.get_num_geometries(gc) == N_FEATURES
    emit("geojson_parse", "shapely_from_geojson_fc", runs,
         "shapely.from_geojson(whole FeatureCollection bytes) -> one GeometryCollection "
         "(GEOS reader; properties dropped)", **common)


def case_geojson_write(args, meta):
    data, props = geojson_input(args.geojson_file)
    geoms = shapely.from_geojson(data)  # GeometryCollection -> array of LineStrings
    geoms = shapely.get_parts(geoms)
    assert len(geoms) == N_FEATURES
    log("geojson_write")

    def python_json_shapely():
        feats = [{"type": "Feature", "id": i, "geometry": mapping(g), "properties": props[i]}
                 for i, g in enumerate(geoms)]
        return json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))

    runs, text = timed(python_json_shapely, args.repeat)
    assert text.encode() == data, "mapping + json.dumps does not reproduce the input file"
    emit("geojson_write", "python_json_shapely", runs,
         "shapely.geometry.mapping + json.dumps(separators=(',',':')) to a str, "
         "byte-identical to the input file", matched=N_FEATURES,
         mb=round(len(data) / 1e6, 3), bytes=len(data))

    runs, strs = timed(lambda: shapely.to_geojson(geoms), args.repeat)
    nbytes = sum(len(s) for s in strs)
    emit("geojson_write", "shapely_to_geojson", runs,
         "vectorised shapely.to_geojson on the 200k geometries -> array of str "
         "(geometry only, no properties/framing); mb = their total size",
         matched=N_FEATURES, mb=round(nbytes / 1e6, 3), bytes=nbytes)


# ---------------------------------------------------------------- main

def default_anchors():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in (os.path.join(repo, "..", "shared", "anchors"),
              os.path.join(repo, "..", "..", "shared", "anchors")):  # git worktrees in <root>/wt/
        if os.path.exists(os.path.join(d, "helsinki_grid_meta.json")):
            return os.path.normpath(d)
    return os.path.normpath(os.path.join(repo, "..", "shared", "anchors"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--anchors", default=default_anchors())
    ap.add_argument("--geojson-file", default="/tmp/urbangrid-bench-lines.geojson")
    args = ap.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        ap.error(f"unknown case(s): {', '.join(sorted(unknown))}; choose from {','.join(CASES)}")
    meta_path = os.path.join(args.anchors, "helsinki_grid_meta.json")
    if not os.path.exists(meta_path):
        ap.error(f"{meta_path} not found; pass --anchors DIR")
    with open(meta_path) as f:
        meta = json.load(f)
    log(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), pyproj {pyproj.__version__} "
        f"(PROJ {pyproj.proj_version_str}), numpy {np.__version__}, Python {sys.version.split()[0]}; "
        f"anchors {args.anchors}")
    for c in cases:
        globals()["case_" + c](args, meta)


if __name__ == "__main__":
    main()
