#!/usr/bin/env python3
"""Writes Tests/UrbanServiceTests/HostileRequests.json: the bad-request corpus the service must refuse.

Every case is a request (method, path and query exactly as sent, already percent-encoded), the status it must get
and words its JSON message must contain. The database of the test (HostileRequestTests.swift) holds stations on a
lattice (s0-0 ... s14-9), streets st1 and st2, hazards h1..h3 with report times, the two golden vendor zones and
three chiefs. Regenerate after editing:  python3 Tools/check/hostile_corpus.py
"""
import json
import os
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SQLI = [
    "1' OR '1'='1",
    "1 OR 1=1",
    "1; DROP TABLE stations; --",
    "' UNION SELECT sql, name FROM sqlite_master --",
    "1) OR (1=1",
    "\"; ATTACH DATABASE '/tmp/pwn.sqlite' AS pwn; --",
    "x'); SELECT load_extension('/tmp/evil'); --",
    "1/**/OR/**/1=1",
    "'; UPDATE stations SET name = 'pwned'; --",
    "0 UNION ALL SELECT NULL--",
]
BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e400", "0x10", "1_000", "１２", "1e", ".", "--1", "1.2.3", "24 .9", "2 4.9"]
BAD_TIMES = ["soon", "2026-13-01T00:00", "2026-02-30T10:00", "2026-11-20T25:00", "2026-11-20T18:61", "2026-11-20T18:00+99:00",
             "20261120T1800", "2026-11-20T18:00:00ZZ", "1e10", "0", "2026-11-20'; DROP TABLE vendor_zones; --", "2026/11/20 18:00"]

cases = []


def add(path, status, words, note, method="GET", headers=None):
    c = {"method": method, "path": path, "status": status, "words": words, "note": note}
    if headers:
        c["headers"] = headers
    cases.append(c)


def q(v):
    return quote(v, safe="")


routes = {
    "/lookup": {"lon": "24.95", "lat": "60.12"},
    "/vendor/check": {"lon": "116.392", "lat": "39.902", "at": "2026-11-20T18:00"},
    "/vendor/open": {"at": "2026-11-20T08:00", "near": "116.39,39.9", "radius": "500", "open_only": "true"},
    "/hazards": {"near": "24.95,60.12", "radius": "1000", "class": "01", "status": "open", "f": "json"},
    "/hazards/hotspots": {"by": "segment", "top": "5"},
    "/stations/nearest": {"lon": "24.95", "lat": "60.12", "k": "3"},
    "/collections/hazards/items": {"bbox": "24.8,60.0,25.2,60.3", "limit": "10", "offset": "0",
                                   "datetime": "2026-11-01T00:00:00Z/..", "f": "json"},
}
# what a hostile value in each parameter must be refused with: (status, words)
refusal = {
    "lon": (400, ["lon", "not a number"]), "lat": (400, ["lat", "not a number"]),
    "at": (400, ["at", "not an ISO 8601 time"]),
    "near": (400, ["near", "is not LON,LAT"]), "radius": (400, ["radius", "not a number"]),
    "open_only": (400, ["open_only", "not true or false"]),
    "class": (400, ["class", "not a class code"]), "status": (400, ["status", "not one of open, resolved"]),
    "f": (400, ["f:", "not offered"]),
    "by": (400, ["by", "not one of grid, segment, community"]), "top": (400, ["top", "not an integer"]),
    "k": (400, ["k", "not an integer"]),
    "bbox": (400, ["bbox"]), "limit": (400, ["limit", "not an integer"]), "offset": (400, ["offset", "not a non-negative integer"]),
    "datetime": (400, ["datetime", "RFC 3339"]),
}


def query(params):
    return "&".join(f"{k}={q(v)}" for k, v in params.items())


# the valid requests themselves answer 200 (the corpus would mean nothing if they did not)
for route, params in routes.items():
    add(f"{route}?{query(params)}", 200, [], "the valid request every hostile variant below starts from")

# SQL injection in every parameter of every route
for route, params in routes.items():
    for name in params:
        for i, payload in enumerate(SQLI):
            if name == "datetime" and i % 2:
                continue  # half of them is plenty for the one parameter that parses as a whole
            p = dict(params)
            p[name] = payload
            status, words = refusal[name]
            add(f"{route}?{query(p)}", status, words, f"SQL injection in {name}")
for payload in SQLI:  # ids: never SQL, just ids that do not exist
    add(f"/hazards?along={q(payload)}&buffer=5", 404, ["no street segment with id"], "SQL injection in along (an id)")
    add(f"/hazards?in_grid={q(payload)}", 404, ["no grid cell with code"], "SQL injection in in_grid (a code)")
    add(f"/collections/stations/items/{q(payload)}", 404, ["no feature", "stations"], "SQL injection in a feature id")
    add(f"/collections/{q(payload)}/items", 404, ["no collection"], "SQL injection in a collection id")
    add(f"/collections/{q(payload)}", 404, ["no collection"], "SQL injection in a collection id")
    add(f"/stations/nearest?lon=24.95&lat=60.12&network={q(payload)}", 400, ["network", "is not walk or drive"], "SQL injection in network")

# numbers: NaN, infinities, huge, hex, unicode digits, partial
for bad in BAD_NUMBERS:
    add(f"/lookup?lon={q(bad)}&lat=60.12", 400, ["lon", "not a number"], "not a decimal number")
    add(f"/stations/nearest?lon=24.95&lat={q(bad)}", 400, ["lat", "not a number"], "not a decimal number")
    add(f"/hazards?near=24.95,60.12&radius={q(bad)}", 400, ["radius", "not a number"], "not a decimal number")
    add(f"/hazards?along=st1&buffer={q(bad)}", 400, ["buffer", "not a number"], "not a decimal number")
    add(f"/collections/stations/items?bbox={q(bad)},60,25,61", 400, ["bbox"], "not a decimal number in bbox")
    add(f"/vendor/open?at=2026-11-20T08:00&near={q(bad)},39.9", 400, ["near", "is not LON,LAT"], "not a decimal number in near")
for name, route in [("limit", "/collections/stations/items"), ("offset", "/collections/stations/items"),
                    ("k", "/stations/nearest?lon=24.95&lat=60.12"), ("top", "/hazards/hotspots")]:
    sep = "&" if "?" in route else "?"
    for bad in ["2.5", "1e3", "0x10", "ten", "", "-", "+", "５", "1 0", "9" * 40 + "x"]:
        status, words = refusal[name]
        add(f"{route}{sep}{name}={q(bad)}", status, [name] if bad == "" else words, f"{name} not an integer")

# coordinates out of range and malformed pairs
for lon, lat in [("180.0000001", "0"), ("-181", "0"), ("0", "90.5"), ("0", "-91"), ("1e300", "0"), ("24.95", "1e-400x")]:
    want = ["not a number"] if "x" in lat else ["not a WGS84 longitude/latitude"]
    add(f"/lookup?lon={q(lon)}&lat={q(lat)}", 400, want, "coordinate out of range")
    add(f"/vendor/check?lon={q(lon)}&lat={q(lat)}&at=2026-11-20T18:00", 400, want, "coordinate out of range")
for near in ["24.95", "24.95,60.12,0", ",", "24.95;60.12", "(24.95 60.12)", "POINT(24.95 60.12)", "200,60", "24.95,95"]:
    add(f"/hazards?near={q(near)}&radius=10", 400, ["near"], "malformed near")
for radius in ["-1", "-0.001"]:
    add(f"/hazards?near=24.95,60.12&radius={radius}", 400, ["radius", "not a distance in metres"], "negative radius")
    add(f"/hazards?along=st1&buffer={radius}", 400, ["buffer", "not a distance in metres"], "negative buffer")

# times
for bad in BAD_TIMES:
    add(f"/vendor/check?lon=116.392&lat=39.902&at={q(bad)}", 400, ["at", "not an ISO 8601 time"], "malformed time")
    add(f"/vendor/open?at={q(bad)}", 400, ["at", "not an ISO 8601 time"], "malformed time")
for bad in ["2026-11-20", "2026-11-20T18:00", "2026-11-20T18:00:00", "yesterday", "2026-11-20T18:00:00Z/2026-11-01T00:00:00Z",
            "../../..", "2026-11-20T18:00:00Z/2026-11-21T18:00:00Z/..", "/", "2026-11-20T18:00:00+25:00", "2026-02-30T00:00:00Z"]:
    # (an empty datetime= is no filter, as the published schema allows: not in the corpus)
    words = ["datetime", "ends before it starts"] if bad.startswith("2026-11-20T18:00:00Z/2026-11-01") else ["datetime"]
    add(f"/collections/hazards/items?datetime={q(bad)}", 400, words, "malformed datetime")
add("/collections/stations/items?datetime=2026-11-01T00:00:00Z/..", 400, ["datetime", "no time property"], "datetime on a layer without time")

# bbox: wrong arity, reversed, out of range, bad heights, huge
for bad in ["1,2,3", "1,2,3,4,5", "1,2,3,4,5,6,7", "25,60,24,61", "24,61,25,60", "-181,0,0,1", "0,-90.5,1,0", "-1e308,-90,1e308,90",
            "24.9,60.1,a,25,60.2,b", ",,,", "24.9 60.1 25 60.2", "24.9,60.1,25,60.2;DROP"]:
    add(f"/collections/stations/items?bbox={q(bad)}", 400, ["bbox"], "malformed bbox")
add("/collections/stations/items?bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F3857&bbox=1,2,3,4", 400, ["bbox-crs"], "unsupported bbox-crs")
add("/collections/chiefs/items?bbox=0,0,1,1", 400, ["bbox", "no geometry"], "bbox on a layer without geometry")

# oversized values that are valid: clamped (OGC API - Features), not refused
add("/collections/stations/items?limit=1000000000", 200, ["numberReturned"], "limit above the maximum: clamped")
add("/collections/stations/items?limit=" + "9" * 30, 200, ["numberReturned"], "limit beyond 64 bits: clamped")
add("/collections/stations/items?offset=9223372036854775807", 200, ["\"numberReturned\":0"], "offset at Int64.max: an empty page")
add("/collections/stations/items?offset=" + "9" * 30, 200, ["\"numberReturned\":0"], "offset beyond 64 bits: an empty page")
add("/collections/stations/items?bbox=-180,-90,180,90&limit=5", 200, ["numberReturned"], "the whole world")
add("/stations/nearest?lon=24.95&lat=60.12&k=9223372036854775807", 200, ["s"], "k at Int64.max: every station")
add("/hazards/hotspots?by=segment&top=9223372036854775807", 200, [], "top at Int64.max")
add("/hazards?near=24.95,60.12&radius=1e300", 200, ["h1"], "a huge radius: every hazard")
for name, route in [("limit", "/collections/stations/items?"), ("offset", "/collections/stations/items?")]:
    add(f"{route}{name}=-1", 400, [name], f"negative {name}")
add("/collections/stations/items?limit=0", 400, ["limit", "must be at least 1"], "limit 0")
add("/stations/nearest?lon=24.95&lat=60.12&k=0", 400, ["k", "not a positive count"], "k 0")
add("/stations/nearest?lon=24.95&lat=60.12&k=-5", 400, ["k", "not a positive count"], "k negative")
add("/hazards/hotspots?top=-1", 400, ["top", "not a positive count"], "top negative")

# path tricks in ids
long_id = "a" * 10000
for fid, note in [("..", "dot-dot"), ("..%2F..%2Fetc%2Fpasswd", "encoded traversal"), ("%2e%2e", "encoded dot-dot"),
                  ("%2e%2e%2fstations", "encoded traversal"), ("s1-1%00", "NUL after a real id"), ("%00", "NUL"),
                  ("s1-1%2500", "double-encoded NUL"), ("s1-1%0d%0aX-Injected:%201", "CRLF"), (long_id, "a 10,000-character id"),
                  ("%E7%AB%99%E7%82%B9", "unicode"), ("%F0%9F%98%80", "emoji"), ("%ff%fe", "invalid UTF-8"), ("%", "a lone percent"),
                  ("s1-1%20", "trailing space"), ("S1-1", "case"), ("s1-1%27--", "quote")]:
    add(f"/collections/stations/items/{fid}", 404, ["no feature"], f"feature id: {note}")
for cid, note in [("..", "dot-dot"), ("%2e%2e", "encoded dot-dot"), ("stations%00", "NUL"), ("STATIONS", "case"),
                  ("vendor_zones", "the table's name, not the layer's"), ("sqlite_master", "an SQLite table"), ("idx_stations_geom", "an R*Tree"),
                  ("spatial_ref_sys", "SpatiaLite's table"), ("%E7%AB%99", "unicode"), ("a" * 5000, "a 5,000-character id")]:
    add(f"/collections/{cid}/items", 404, ["no collection"], f"collection id: {note}")
add("/collections/stations/items/s1-1/extra", 404, ["NotFound"], "a path below a feature")
add("/collections/..%2F..%2Fetc%2Fpasswd", 404, ["no collection"], "encoded traversal in a collection id")
add("/static/leaflet/..%2F..%2F..%2Fetc%2Fpasswd", 404, ["NotFound"], "traversal out of the static files")

# unknown and repeated parameters (OGC API - Features /req/core/query-param-unknown)
for route, extra in [("/collections/stations/items", "name=Station%201%201"), ("/collections/stations/items", "properties=name"),
                     ("/collections/stations/items", "sortby=name"), ("/collections/stations/items", "filter=name%3D%27x%27"),
                     ("/collections/stations/items", "crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F3857"),
                     ("/collections/stations/items", "where=1%3D1"), ("/collections/stations/items/s1-1", "limit=5"),
                     ("/collections/stations", "bbox=1,2,3,4"), ("/collections", "limit=5"), ("/conformance", "x=1"), ("/api", "q=1"),
                     ("/", "f=json&debug=1"), ("/lookup?lon=24.95&lat=60.12", "lng=24.95"),
                     ("/hazards?near=24.95,60.12&radius=10", "clas=01"), ("/hazards/hotspots", "sql=SELECT%201"),
                     ("/stations/nearest?lon=24.95&lat=60.12", "radius=5"), ("/vendor/check?lon=116.392&lat=39.902&at=2026-11-20T18:00", "zone=z1"),
                     ("/vendor/open?at=2026-11-20T08:00", "where=1")]:
    sep = "&" if "?" in route else "?"
    name = extra.split("=")[0].split("&")[-1] if "&" not in extra else "debug"
    add(f"{route}{sep}{extra}", 400, [name, "unknown parameter"], "a parameter the route does not define")
for route in ["/collections/stations/items?limit=5&limit=500", "/lookup?lon=24.95&lat=60.12&lat=0", "/hazards?near=24.95,60.12&radius=10&status=open&status=resolved"]:
    add(route, 400, ["given more than once"], "a parameter given twice")
add("/collections/stations/items?f=html", 400, ["f:", "not offered"], "a format not offered")
add("/collections/stations/items/s1-1?f=xml", 400, ["f:", "not offered"], "a format not offered")
add("/hazards?near=24.95,60.12&radius=10&f=csv", 400, ["f:", "not offered"], "a format not offered")
add("/vendor/open?at=2026-11-20T08:00&radius=500", 400, ["radius", "needs near"], "radius without near")
add("/vendor/open?at=2026-11-20T08:00&open_only=1", 400, ["open_only", "not true or false"], "open_only not a boolean")
add("/hazards?near=24.95,60.12&radius=10&along=st1&buffer=5", 400, ["give one of"], "two areas at once")
add("/hazards?near=24.95,60.12&radius=10&class=", 400, ["class", "not a class code"], "empty class")

# methods: the service is read-only
for method in ["POST", "PUT", "DELETE", "PATCH"]:
    for path in ["/collections/stations/items", "/collections/stations/items/s1-1", "/lookup?lon=24.95&lat=60.12", "/"]:
        add(path, 405, ["read-only"], f"{method}: no route writes", method=method)
# a declared body over the limit, on a GET
add("/collections", 413, ["request body", "at most"], "a huge declared body", headers={"content-length": str(64 * 1024 * 1024)})

with open(os.path.join(ROOT, "Tests", "UrbanServiceTests", "HostileRequests.json"), "w") as f:
    json.dump({"description": __doc__.strip().splitlines()[0], "cases": cases}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(cases)} cases")
