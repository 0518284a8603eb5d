#!/usr/bin/env python3
"""Derive UrbanGrid's Helsinki demo layers from the OpenStreetMap files in ../shared/geodata/helsinki.

Helsinki has no Chinese administrative hierarchy and no urban-management records, so the demo gets a
documented, deterministic synthetic set (see GeoData/helsinki/README.md). Outputs (RFC 7946 GeoJSON,
7 decimals) go to GeoData/helsinki/. Needs shapely>=2 and pyproj; metric work in EPSG:3067.
    python3 Tools/demo-data/make_helsinki_demo.py [--shared ../shared/geodata/helsinki] [--out GeoData/helsinki]
"""
import argparse
import json
import os

import pyproj
import shapely
from shapely.geometry import box, mapping, shape


def transform(fn, geom):
    return shapely.transform(geom, lambda x, y: fn(x, y), interleaved=False)

DISTRICT = "999901"  # 99 is no province code: the whole hierarchy is visibly synthetic


def feature(fid, props, geom):
    g = mapping(shapely.geometry.polygon.orient(geom, 1.0) if geom.geom_type == "Polygon" else geom)
    text = json.dumps(g)
    g = json.loads(text, parse_float=lambda s: round(float(s), 7))
    return {"type": "Feature", "id": fid, "properties": props, "geometry": g}


def write(path, name, features, note):
    with open(path, "w", encoding="utf-8") as f:
        head = {"type": "FeatureCollection", "name": name, "note": note,
                "license": "© OpenStreetMap contributors, ODbL 1.0 (positions); synthetic attributes: project's own"}
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in features))
        f.write("\n]}\n")


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared", "geodata", "helsinki"))
    ap.add_argument("--out", default=os.path.join(root, "GeoData", "helsinki"))
    a = ap.parse_args()
    to_m = pyproj.Transformer.from_crs(4326, 3067, always_xy=True).transform
    to_ll = pyproj.Transformer.from_crs(3067, 4326, always_xy=True).transform

    boundary = shape(json.load(open(os.path.join(a.shared, "boundary.geojson")))["features"][0]["geometry"])
    b = transform(to_m, boundary)
    cx, cy = b.centroid.x, b.centroid.y
    minx, miny, maxx, maxy = b.bounds
    admin = [feature(int(DISTRICT), {"code": DISTRICT, "name": "演示区 Demo district (synthetic)", "level": "district"}, boundary)]
    # two streets (街道) west/east of the centroid's meridian, each split into two communities at its parallel
    for s, (x0, x1) in enumerate([(minx - 1, cx), (cx, maxx + 1)], start=1):
        street = f"{DISTRICT}{s:03d}"
        part = b.intersection(box(x0, miny - 1, x1, maxy + 1))
        admin.append(feature(int(street), {"code": street, "name": f"演示街道{s} Demo street {s}", "level": "street",
                                           "parent_code": DISTRICT}, transform(to_ll, part)))
        for c, (y0, y1) in enumerate([(cy, maxy + 1), (miny - 1, cy)], start=1):  # north first
            community = f"{street}{c:03d}"
            cell = part.intersection(box(x0, y0, x1, y1))
            admin.append(feature(int(community), {"code": community, "name": f"演示社区{s}-{c} Demo community {s}-{c}",
                                                  "level": "community", "parent_code": street}, transform(to_ll, cell)))
    write(os.path.join(a.out, "admin.geojson"), "Helsinki demo admin areas (synthetic)", admin,
          "study area split at its centroid: 1 district, 2 streets (west/east), 4 communities (north/south)")

    pois = json.load(open(os.path.join(a.shared, "pois.geojson")))["features"]
    by_kind = {}
    for f in sorted(pois, key=lambda f: f["properties"]["id"]):
        by_kind.setdefault(f["properties"]["kind"], []).append(f)

    def point_m(f):
        return transform(to_m, shape(f["geometry"]))

    zones = []
    for f in by_kind.get("marketplace", []):
        p = f["properties"]
        zones.append(feature(f"osm-{p['osm_id']}", {"name": p["name"], "kind": "便民市场", "capacity": 20, "status": "active",
                                                    "hours": p["opening_hours"] or "Mo-Sa 07:00-19:00"},
                             transform(to_ll, point_m(f).buffer(25, cap_style="square"))))
    kiosks = by_kind.get("kiosk", [])
    synthetic = [("夜市 night market", "夜市", 30, "Fr,Sa 18:00-02:00"),
                 ("早市 morning market", "早晚市场", 15, "Mo-Su 06:00-09:00"),
                 ("摊点群 vendor cluster", "摊点群", 12, "Mo-Fr 11:00-14:00,17:00-21:00; Sa,Su 10:00-22:00; PH off"),
                 ("流动商贩疏导区 guidance zone", "流动商贩疏导区", 8, "Mo-Su 16:00-22:00")]
    for k, (name, kind, cap, hours) in enumerate(synthetic):
        f = kiosks[k]
        zones.append(feature(f"demo-{k + 1}", {"name": name, "kind": kind, "capacity": cap, "status": "active", "hours": hours},
                             transform(to_ll, point_m(f).buffer(20, cap_style="square"))))
    write(os.path.join(a.out, "vendor_zones.geojson"), "Helsinki demo vendor zones", zones,
          "the OSM marketplaces (25 m squares) and 4 synthetic zones (20 m squares) at the first 4 OSM kiosks by id")

    stations = [feature(f"osm-{f['properties']['osm_id']}", {"name": f["properties"]["name"] or f"驿站 {i + 1}",
                                                             "kind": "城市管理服务驿站", "capacity": 4, "hours": "Mo-Su 08:00-20:00"},
                        shape(f["geometry"])) for i, f in enumerate(kiosks[len(synthetic):])]
    write(os.path.join(a.out, "stations.geojson"), "Helsinki demo service stations", stations,
          "the OSM kiosks not used for vendor zones, as 城市管理服务驿站 built in existing kiosks")

    manhole_class = {"water": "0101", "missing_water": "0101", "suspected_water": "0101", "drain": "0103",
                     "heat": "0110", "gas": "0111", "missing_gas": "0111", "suspected_gas": "0111",
                     "telecom": "0107", "tram_point": "0128"}
    hazards = []
    for f in by_kind.get("manhole", []) + by_kind.get("street_lamp", []):
        p = f["properties"]
        code = "0118" if p["kind"] == "street_lamp" else manhole_class.get(p["subkind"])
        if code is None:
            continue  # manholes of unknown type: no class to give them
        i = p["id"]
        status = "open" if i % 5 == 0 else "resolved"
        day = 1 + i % 28
        props = {"class_code": code, "severity": 1 + i % 3, "status": status,
                 "reported_at": f"2026-10-{day:02d}T09:00:00+08:00",
                 "resolved_at": None if status == "open" else f"2026-11-{day:02d}T17:00:00+08:00",
                 "component_id": f"{DISTRICT}{code}{i:06d}"}
        hazards.append(feature(f"osm-{p['osm_id']}", props, shape(f["geometry"])))
    write(os.path.join(a.out, "hazards.geojson"), "Helsinki demo hazards", hazards,
          "OSM manholes of known type and street lamps as components (GB/T 30428.2 codes) with synthetic reports: "
          "open when the POI id is divisible by 5, severity 1 + id mod 3, reported 2026-10-(1 + id mod 28)")

    write_chiefs(a.out)


# chiefs (片长): one per community, responsible for the first 20 cells of its 100 m square grid (codes are
# community + 001..020, numbered west->east, north->south by `urbangrid grid build`); the other cells are
# left without a chief on purpose, so that `urbangrid grid audit` has 责任全覆盖 gaps to report.
# Responsibility in time (operations-api §3): each 片长 has weekday hours; 1-1 and 1-2 are each other's AB角,
# 2-1's backup is 2-2, and 2-2 has none, so that on a weekday evening (after 17:30) cells of community 2-x have
# nobody on duty while 1-x are answered by 1-2 (on duty until 20:00, Saturdays too). Two road chiefs (路长):
# Pohjoisesplanadi (every day 07:00-22:00, backup 路长 副) and Unioninkatu (weekdays, no backup); every other
# segment has none. 门前三包: the first 20 named shops (by id) have a duty holder (their POI id in poi_id).
def write_chiefs(out):
    hours = {(1, 1): "Mo-Fr 08:30-17:30; PH off", (1, 2): "Mo-Sa 08:00-20:00; PH off",
             (2, 1): "Mo-Fr 08:30-17:30; PH off", (2, 2): "Mo-Fr 08:30-17:30; PH off"}
    backup = {(1, 1): "片长 1-2", (1, 2): "片长 1-1", (2, 1): "片长 2-2", (2, 2): ""}
    with open(os.path.join(out, "streets.geojson"), encoding="utf-8") as f:
        streets = json.load(f)["features"]
    with open(os.path.join(out, "pois.geojson"), encoding="utf-8") as f:
        shops = [p for p in json.load(f)["features"] if p["properties"].get("kind") == "shop" and p["properties"].get("name")]
    with open(os.path.join(out, "chiefs.csv"), "w", encoding="utf-8") as f:
        f.write("id,name,role,phone,backup,on_duty,grid_code,segment_id,poi_id\n")
        for s_ in (1, 2):
            for c in (1, 2):
                community = f"{DISTRICT}{s_:03d}{c:03d}"
                for q in range(1, 21):
                    f.write(f"{community}-{q:03d},片长 {s_}-{c},grid_chief,12319-{s_}{c},{backup[(s_, c)]},{hours[(s_, c)]},{community}{q:03d},,\n")
        roads = [("Pohjoisesplanadi", "路长 北滨", "12319-81", "路长 副", "Mo-Su 07:00-22:00"),
                 ("Unioninkatu", "路长 联合", "12319-82", "", "Mo-Fr 08:00-18:00; PH off")]
        for street, name, phone, alt, on_duty in roads:
            for seg in streets:
                if seg["properties"].get("name") == street:
                    f.write(f"road-{seg['id']},{name},road_chief,{phone},{alt},{on_duty},,{seg['id']},\n")
        for shop in sorted(shops, key=lambda p: p["id"])[:20]:
            f.write(f"shop-{shop['id']},店主 {shop['id']},frontage,12345-{shop['id']},,,,,{shop['id']}\n")

if __name__ == "__main__":
    main()
