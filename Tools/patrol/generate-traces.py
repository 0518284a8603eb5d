#!/usr/bin/env python3
"""Patrol traces with ground truth: random walks of inspectors on the demo streets (standard library only, seeded).

    Tools/patrol/generate-traces.py OUT_DIR [--streets GeoData/helsinki/streets.geojson] [--inspectors 4]
        [--sessions 08:00,17:00] [--minutes 20] [--day 2026-12-08] [--utc-offset +08:00] [--seed 7]
        [--interval 1-15] [--sigma 5-15] [--outliers 0.02] [--gpx]

Each inspector walks a random walk on the walkable street graph (segments with walk != false; nodes are the segments'
end positions, equal to 1e-7 degrees, as UrbanGrid's network joins ends within 2 cm), at 1.0-1.6 m/s, never turning
back on a segment except at a dead end, with a pause now and then; one walk per session (start times local to
--utc-offset). Fixes every `interval` seconds (drawn per walk from --interval), Gaussian noise of sigma metres
(drawn per walk from --sigma), and a share --outliers of fixes thrown 60-150 m off.

Writes into OUT_DIR:
  tracks.csv        inspector,time,lon,lat              (the input of `urbangrid patrol import/match`)
  truth-fixes.csv   inspector,index,time,segment_id,offset_m,lon,lat,outlier
                    (index: the fix's index in tracks.csv; offset_m along the segment from its first coordinate,
                     in the generator's local metres)
  truth-passes.csv  inspector,segment_id,entered,left,fraction   (every stay on a segment; a pass is fraction >= 0.5)
  truth-summary.json  counts and the parameters
  tracks-<inspector>.gpx  with --gpx: one GPX 1.1 file per inspector
"""
import argparse
import bisect
import datetime as dt
import json
import math
import os
import random

R = 6371008.8


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--streets", default=os.path.join(os.path.dirname(__file__), "..", "..", "GeoData", "helsinki", "streets.geojson"))
    ap.add_argument("--inspectors", type=int, default=4)
    ap.add_argument("--sessions", default="08:00,17:00")
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--day", default="2026-12-08")
    ap.add_argument("--utc-offset", default="+08:00")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--interval", default="1-15")
    ap.add_argument("--sigma", default="5-15")
    ap.add_argument("--outliers", type=float, default=0.02)
    ap.add_argument("--gpx", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)

    def span(text):
        lo, _, hi = text.partition("-")
        return float(lo), float(hi or lo)

    iv, sg = span(a.interval), span(a.sigma)
    sign = 1 if a.utc_offset[0] == "+" else -1
    oh, om = a.utc_offset[1:].split(":")
    tz = dt.timezone(sign * dt.timedelta(hours=int(oh), minutes=int(om)))

    feats = json.load(open(a.streets))["features"]
    lat0 = sum(f["geometry"]["coordinates"][0][1] for f in feats) / len(feats)
    lon0 = sum(f["geometry"]["coordinates"][0][0] for f in feats) / len(feats)
    kx = math.cos(math.radians(lat0)) * R * math.pi / 180
    ky = R * math.pi / 180

    def to_xy(lon, lat):
        return ((lon - lon0) * kx, (lat - lat0) * ky)

    def to_ll(x, y):
        return (lon0 + x / kx, lat0 + y / ky)

    NON_WALKING = {"motorway", "motorway_link"}
    nodes, segs, adj = {}, [], {}
    for f in feats:
        p = f["properties"]
        walk = p.get("walk")
        if walk is False or (walk is None and p.get("highway") in NON_WALKING):
            continue
        cs = f["geometry"]["coordinates"]
        keys = [(round(c[0], 7), round(c[1], 7)) for c in (cs[0], cs[-1])]
        ids = [nodes.setdefault(k, len(nodes)) for k in keys]
        xy = [to_xy(c[0], c[1]) for c in cs]
        along = [0.0]
        for i in range(1, len(xy)):
            along.append(along[-1] + math.dist(xy[i - 1], xy[i]))
        s = dict(id=str(p.get("id", f.get("id"))), a=ids[0], b=ids[1], xy=xy, along=along, length=along[-1])
        segs.append(s)
        for n, other in ((ids[0], ids[1]), (ids[1], ids[0])):
            adj.setdefault(n, []).append((len(segs) - 1, other))
    # the largest connected part (by segments), where walks start
    parent = list(range(len(nodes)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in segs:
        ra, rb = root(s["a"]), root(s["b"])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    size = {}
    for s in segs:
        size[root(s["a"])] = size.get(root(s["a"]), 0) + 1
    big = max(size, key=size.get)
    starts = sorted(n for n in adj if root(n) == big and len(adj[n]) >= 2)

    def point(s, off, forward):
        o = off if forward else s["length"] - off
        i = max(1, bisect.bisect_left(s["along"], o))
        i = min(i, len(s["along"]) - 1)
        a0, a1 = s["along"][i - 1], s["along"][i]
        t = 0 if a1 == a0 else (o - a0) / (a1 - a0)
        (x0, y0), (x1, y1) = s["xy"][i - 1], s["xy"][i]
        return x0 + t * (x1 - x0), y0 + t * (y1 - y0), o

    base = dt.datetime.fromisoformat(a.day).replace(tzinfo=tz)
    sessions = [base.replace(hour=int(h), minute=int(m)) for h, m in (x.split(":") for x in a.sessions.split(","))]
    os.makedirs(a.out, exist_ok=True)
    rows, truth, passes = [], [], []
    walks = []
    for k in range(a.inspectors):
        name = "inspector-%02d" % (k + 1)
        for start_time in sessions:
            t0 = start_time.timestamp() + rnd.uniform(0, 300)
            interval = rnd.uniform(*iv)
            sigma = rnd.uniform(*sg)
            speed = rnd.uniform(1.0, 1.6)
            duration = a.minutes * 60
            walks.append(dict(inspector=name, start=t0, interval=round(interval, 2), sigma=round(sigma, 2), speed=round(speed, 2)))
            # the walk as a list of (t_start, t_end, seg, off_start, off_end along the walking direction, forward)
            node = rnd.choice(starts)
            came = None
            t = t0
            legs = []
            # start somewhere inside the first segment
            first = True
            while t < t0 + duration:
                options = [(si, nb) for si, nb in adj[node] if si != came] or adj[node]
                si, nb = rnd.choice(options)
                s = segs[si]
                forward = (s["a"] == node) if s["a"] != s["b"] else rnd.random() < 0.5
                o0 = rnd.uniform(0, s["length"]) if first else 0.0
                first = False
                length = s["length"] - o0
                legs.append((t, t + length / speed, si, o0, s["length"], forward))
                t += length / speed
                if rnd.random() < 0.03:  # a pause at the node
                    p = rnd.uniform(20, 90)
                    legs.append((t, t + p, si, s["length"], s["length"], forward))
                    t += p
                came, node = si, nb
            end = t0 + duration
            # stays on segments (the generator's truth of traversals)
            cur = None
            for (ta, tb, si, oa, ob, fw) in legs:
                if ta >= end:
                    break
                if tb > end:  # cut at the end of the session
                    ob = oa + (ob - oa) * (end - ta) / (tb - ta) if tb > ta else ob
                    tb = end
                if cur and cur[0] == si:
                    cur[3] = tb
                    cur[4] = max(cur[4], ob)
                else:
                    if cur:
                        passes.append(cur)
                    cur = [si, name, ta, tb, ob, oa]
            if cur:
                passes.append(cur)
            # fixes
            starts_t = [l[0] for l in legs]
            tf = t0
            while tf < end:
                j = max(0, bisect.bisect_right(starts_t, tf) - 1)
                ta, tb, si, oa, ob, fw = legs[j]
                off = oa if tb <= ta else oa + (ob - oa) * min(1.0, (tf - ta) / (tb - ta))
                s = segs[si]
                x, y, o = point(s, off, fw)
                outlier = rnd.random() < a.outliers
                if outlier:
                    d, ang = rnd.uniform(60, 150), rnd.uniform(0, 2 * math.pi)
                    nx, ny = x + d * math.cos(ang), y + d * math.sin(ang)
                else:
                    nx, ny = x + rnd.gauss(0, sigma), y + rnd.gauss(0, sigma)
                lon, lat = to_ll(nx, ny)
                tlon, tlat = to_ll(x, y)
                stamp = dt.datetime.fromtimestamp(round(tf, 3), tz).isoformat(timespec="milliseconds")
                rows.append((name, stamp, lon, lat, tf))
                truth.append((name, stamp, s["id"], o, tlon, tlat, int(outlier), tf))
                tf += interval
    # one file, ordered by time (inspectors interleave, each in time order)
    order = sorted(range(len(rows)), key=lambda i: (rows[i][4], rows[i][0]))
    with open(os.path.join(a.out, "tracks.csv"), "w") as f:
        f.write("inspector,time,lon,lat\n")
        for i in order:
            r = rows[i]
            f.write("%s,%s,%.8f,%.8f\n" % (r[0], r[1], r[2], r[3]))
    with open(os.path.join(a.out, "truth-fixes.csv"), "w") as f:
        f.write("inspector,index,time,segment_id,offset_m,lon,lat,outlier\n")
        for idx, i in enumerate(order):
            r = truth[i]
            f.write("%s,%d,%s,%s,%.3f,%.8f,%.8f,%d\n" % (r[0], idx, r[1], r[2], r[3], r[4], r[5], r[6]))
    n_pass = 0
    with open(os.path.join(a.out, "truth-passes.csv"), "w") as f:
        f.write("inspector,segment_id,entered,left,fraction\n")
        for si, name, ta, tb, ob, oa in passes:
            s = segs[si]
            frac = 1.0 if s["length"] == 0 else min(1.0, (ob - oa) / s["length"])
            if frac <= 0:
                continue
            n_pass += frac >= 0.5
            f.write("%s,%s,%s,%s,%.4f\n" % (name, s["id"], dt.datetime.fromtimestamp(round(ta), tz).isoformat(),
                                            dt.datetime.fromtimestamp(round(tb), tz).isoformat(), frac))
    if a.gpx:
        by = {}
        for i in order:
            by.setdefault(rows[i][0], []).append(rows[i])
        for name, pts in by.items():
            with open(os.path.join(a.out, "tracks-%s.gpx" % name), "w") as f:
                f.write('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="generate-traces.py" '
                        'xmlns="http://www.topografix.com/GPX/1/1">\n <trk><name>%s</name><trkseg>\n' % name)
                for r in pts:
                    f.write('  <trkpt lat="%.8f" lon="%.8f"><time>%s</time></trkpt>\n' % (r[3], r[2], r[1]))
                f.write(" </trkseg></trk>\n</gpx>\n")
    json.dump(dict(seed=a.seed, day=a.day, utc_offset=a.utc_offset, inspectors=a.inspectors, sessions=a.sessions,
                   minutes=a.minutes, fixes=len(rows), outliers=sum(t[6] for t in truth), passes=n_pass,
                   walkable_segments=len(segs), walks=walks),
              open(os.path.join(a.out, "truth-summary.json"), "w"), indent=1)
    print("%d fixes, %d walks, %d passes (>= 50%% of a segment) -> %s" % (len(rows), len(walks), n_pass, a.out))


if __name__ == "__main__":
    main()
