"""Checks the exports Tools/check-export.sh wrote with GDAL's ogrinfo and an independent ring-orientation test.

Expected feature counts come from the database itself (plain sqlite3 row counts), not from the exporter; the
exporter's own summary must agree with them too. Prints one line per file and exits 1 on any mismatch."""
import json
import os
import re
import sqlite3
import subprocess
import sys

work = sys.argv[1]
TABLES = {"admin": "admin", "streets": "streets", "vendor-zones": "vendor_zones", "hazards": "hazards",
          "stations": "stations", "pois": "pois", "demand": "demand", "chiefs": "chiefs", "grids": "grids"}
# geometry type ogrinfo must report per layer (None: mixed layers, which GDAL reports by content)
GEOMETRY = {"admin": "Multi Polygon", "streets": "Line String", "vendor-zones": "Multi Polygon",
            "stations": "Point", "grids": "Multi Polygon", "chiefs": None, "hazards": None, "pois": None, "demand": None}

db = sqlite3.connect(os.path.join(work, "demo.sqlite"))
expected = {layer: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for layer, table in TABLES.items()}
failures = []
checked = 0


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def ogrinfo(path, layer=None):
    args = ["ogrinfo", "-ro", "-al", "-so", path] if layer is None else ["ogrinfo", "-ro", "-so", path, layer]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"ogrinfo {path}: exit {r.returncode}: {r.stderr.strip()}")
        return None, None
    count = re.search(r"^Feature Count: (\d+)", r.stdout, re.M)
    geom = re.search(r"^Geometry: (.+)$", r.stdout, re.M)
    return (int(count.group(1)) if count else None), (geom.group(1) if geom else None)


def signed_area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def check_rings(path, features):
    global checked
    for i, f in enumerate(features):
        g = f.get("geometry")
        if not g:
            continue
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"] if g["type"] == "MultiPolygon" else []
        for p in polys:
            checked += 1
            if signed_area(p[0]) <= 0:
                fail(f"{path}: feature {i} ({f.get('id')}): exterior ring is not counter-clockwise")
            for h in p[1:]:
                if signed_area(h) >= 0:
                    fail(f"{path}: feature {i} ({f.get('id')}): hole is not clockwise")


def check_summary(name):
    for row in json.load(open(os.path.join(work, name + ".json"))):
        if row["layer"] in expected and row["features"] != expected[row["layer"]] and "3067" not in name:
            fail(f"{name}: exporter reports {row['features']} {row['layer']}, the database holds {expected[row['layer']]}")


for kind, ext in [("geojson", "geojson"), ("geojsonseq", "geojsons"), ("csv", "csv"), ("gcj02", "geojson")]:
    check_summary(kind)
    for layer, n in expected.items():
        path = os.path.join(work, kind, f"{layer}.{ext}")
        if kind == "geojsonseq" and n == 0:
            # an empty sequence is an empty file (RFC 8142); GDAL cannot identify a 0-byte file, its own
            # ogr2ogr -f GeoJSONSeq output of an empty layer included
            size = os.path.getsize(path)
            if size != 0:
                fail(f"{path}: {size} bytes for an empty layer")
            print(f"{'ok  ' if size == 0 else 'FAIL'} {kind:10} {layer:13} empty file (GDAL opens no 0-byte file)")
            continue
        count, geom = ogrinfo(path)
        want_geom = GEOMETRY[layer]
        ok = count == n
        if kind != "csv" and want_geom and n > 0 and geom != want_geom:
            ok = False
            fail(f"{path}: ogrinfo says geometry {geom}, expected {want_geom}")
        if kind == "csv" and layer != "chiefs" and geom == "None":
            ok = False
            fail(f"{path}: GDAL found no WKT geometry column")
        if count != n:
            fail(f"{path}: ogrinfo counts {count} features, the database holds {n}")
        if kind in ("geojson", "gcj02"):
            with open(path) as fh:
                doc = json.load(fh)
            if "crs" in doc:
                fail(f"{path}: has a crs member (RFC 7946 forbids it)")
            if any("id" not in f for f in doc["features"]):
                fail(f"{path}: a feature has no id")
            check_rings(path, doc["features"])
        elif kind == "geojsonseq":
            with open(path, "rb") as fh:
                records = [r for r in fh.read().split(b"\x1e") if r]
            if any(not r.endswith(b"\n") for r in records):
                fail(f"{path}: a record does not end with LF (RFC 8142)")
            check_rings(path, [json.loads(r) for r in records])
        print(f"{'ok  ' if ok else 'FAIL'} {kind:10} {layer:13} {count} features, {geom}")

check_summary("gpkg")
gpkg = os.path.join(work, "city.gpkg")
for layer, n in expected.items():
    count, geom = ogrinfo(gpkg, TABLES[layer])
    want_geom = GEOMETRY[layer]
    ok = count == n and (not want_geom or geom == want_geom or n == 0)
    if not ok:
        fail(f"{gpkg} layer {TABLES[layer]}: ogrinfo {count} features, {geom}; expected {n}, {want_geom}")
    print(f"{'ok  ' if ok else 'FAIL'} gpkg       {layer:13} {count} features, {geom}")
r = subprocess.run(["ogrinfo", "-ro", "-so", os.path.join(work, "grids-3067.gpkg"), "grids"], capture_output=True, text=True)
if 'ID["EPSG",3067]' not in r.stdout and 'AUTHORITY["EPSG","3067"]' not in r.stdout:
    fail("grids-3067.gpkg: GDAL does not see EPSG:3067")
else:
    print("ok   gpkg       grids in EPSG:3067")

print(f"{checked} polygons checked for RFC 7946 winding; {len(failures)} failures")
sys.exit(1 if failures else 0)
