#!/usr/bin/env python3
"""A generated city for the engine checks (Tools/check-engines.sh): seeded, so both engines get the same files.

Near Zibo (118.0°E, 36.8°N: a CGCS2000 Gauss-Krüger zone, not UTM, measures it). District 370399 with 3 streets ×
3 communities of 0.01° squares (admin.geojson), a street lattice every 0.0025° cut into block-long segments with mixed
classes and one-way flags (streets.geojson), and random stations, POIs (schools among them), hazards (component class
codes, open and resolved, report times), vendor zones with opening hours, chiefs for some cells (written after the
grid exists: chiefs.csv names the codes of a 250 m square grid, which check-engines builds first).
    python3 Tools/check/generated-city.py OUT_DIR [--seed N]
"""
import json
import os
import random
import sys

LON0, LAT0, STEP = 118.000, 36.800, 0.01
N = 3  # streets, and communities per street


def square(x0, y0, x1, y1, n=4):
    pts = [(x0 + (x1 - x0) * i / n, y0) for i in range(n)] + [(x1, y0 + (y1 - y0) * i / n) for i in range(n)]
    pts += [(x1 - (x1 - x0) * i / n, y1) for i in range(n)] + [(x0, y1 - (y1 - y0) * i / n) for i in range(n)]
    pts.append(pts[0])
    return [[[round(x, 7), round(y, 7)] for x, y in pts]]


def write(path, features):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)


def main():
    out = sys.argv[1]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 20261207
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    x1, y1 = LON0 + N * STEP, LAT0 + N * STEP
    admin = [{"type": "Feature", "properties": {"code": "370399", "level": "district", "name": "生成区"},
              "geometry": {"type": "Polygon", "coordinates": square(LON0, LAT0, x1, y1, 12)}}]
    for s in range(N):
        street = f"370399{s + 1:03d}"
        admin.append({"type": "Feature", "properties": {"code": street, "level": "street", "parent_code": "370399", "name": f"街道{s + 1}"},
                      "geometry": {"type": "Polygon", "coordinates": square(LON0, LAT0 + s * STEP, x1, LAT0 + (s + 1) * STEP, 12)}})
        for c in range(N):
            admin.append({"type": "Feature", "properties": {"code": f"{street}{c + 1:03d}", "level": "community", "parent_code": street},
                          "geometry": {"type": "Polygon", "coordinates": square(LON0 + c * STEP, LAT0 + s * STEP, LON0 + (c + 1) * STEP, LAT0 + (s + 1) * STEP)}})
    write(os.path.join(out, "admin.geojson"), admin)

    streets, k, lines = [], 0, int(N * STEP / 0.0025)
    classes = ["residential", "residential", "tertiary", "secondary", "primary", "footway"]
    for i in range(lines + 1):
        cls_h, cls_v = rng.choice(classes), rng.choice(classes)
        for j in range(lines):
            for (a, b, cls) in [((LON0 + j * 0.0025, LAT0 + i * 0.0025), (LON0 + (j + 1) * 0.0025, LAT0 + i * 0.0025), cls_h),
                                ((LON0 + i * 0.0025, LAT0 + j * 0.0025), (LON0 + i * 0.0025, LAT0 + (j + 1) * 0.0025), cls_v)]:
                if rng.random() < 0.08:
                    continue  # a missing block edge: the network is not a perfect lattice
                k += 1
                mid = ((a[0] + b[0]) / 2 + rng.uniform(-0.0003, 0.0003), (a[1] + b[1]) / 2 + rng.uniform(-0.0003, 0.0003))
                streets.append({"type": "Feature", "id": f"g{k}", "properties": {
                    "name": f"路{k}", "highway": cls, "oneway": rng.random() < 0.15},
                    "geometry": {"type": "LineString", "coordinates": [[round(p[0], 7), round(p[1], 7)] for p in (a, mid, b)]}})
    write(os.path.join(out, "streets.geojson"), streets)

    def spot():
        return [round(rng.uniform(LON0 + 0.0005, x1 - 0.0005), 7), round(rng.uniform(LAT0 + 0.0005, y1 - 0.0005), 7)]

    write(os.path.join(out, "stations.geojson"), [
        {"type": "Feature", "id": f"st{i}", "properties": {"name": f"驿站{i}", "kind": "城市管理服务驿站", "capacity": rng.randint(2, 9)},
         "geometry": {"type": "Point", "coordinates": spot()}} for i in range(12)])
    kinds = ["school", "kindergarten", "hospital", "shop", "shop", "restaurant", "bank"]
    write(os.path.join(out, "pois.geojson"), [
        {"type": "Feature", "id": f"p{i}", "properties": {"name": f"点{i}", "kind": rng.choice(kinds)},
         "geometry": {"type": "Point", "coordinates": spot()}} for i in range(240)])
    hours = ["Mo-Su 06:00-09:00", "Mo-Fr 17:00-21:00; Sa,Su 10:00-22:00; PH off", "Fr,Sa 18:00-02:00", "24/7", "Mo-Sa 08:00-18:00"]
    zones = []
    for i in range(14):
        x, y = spot()
        zones.append({"type": "Feature", "id": f"z{i}", "properties": {"name": f"摊点群{i}", "kind": "摊点群", "hours": rng.choice(hours)},
                      "geometry": {"type": "Polygon", "coordinates": square(x, y, x + 0.0008, y + 0.0005, 1)}})
    write(os.path.join(out, "vendor_zones.geojson"), zones)
    codes = ["0101", "0102", "0103", "0128", "0201", "0301"]
    hazards = []
    for i in range(400):
        status = "open" if rng.random() < 0.6 else "resolved"
        day = rng.randint(1, 28)
        p = {"class_code": rng.choice(codes), "severity": rng.randint(1, 4), "status": status,
             "reported_at": f"2026-11-{day:02d}T{rng.randint(7, 19):02d}:{rng.choice(['00', '15', '30', '45'])}:00+08:00"}
        # the kind makes the class definite (0101, 0103, 0201, 0301 are in both GB/T 30428.2 tables): manhole covers
        # are components (部件), 0201 非法小广告 and 0301 施工扰民 events (事件); no random draw, so the rest is unchanged
        p["kind"] = "event" if p["class_code"] in ("0201", "0301") else "component"
        if status == "resolved":
            p["resolved_at"] = f"2026-12-{rng.randint(1, 5):02d}T16:00:00+08:00"
        hazards.append({"type": "Feature", "id": f"h{i}", "properties": p, "geometry": {"type": "Point", "coordinates": spot()}})
    write(os.path.join(out, "hazards.geojson"), hazards)


if __name__ == "__main__":
    main()
