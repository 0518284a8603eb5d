#!/usr/bin/env python3
"""Map matching: UrbanGrid's `patrol match` against fastmm (C++ FMM) and leuvenmapmatching on the same generated
traces with ground truth (Tools/patrol/generate-traces.py), in one run. Prints accuracy and speed, and the ratios.

    Tools/bench/patrol_bench.py [--urbangrid .build/release/urbangrid] [--inspectors 20] [--minutes 30]
        [--seed 11] [--leuven-fixes 3000] [--out out/patrol-bench]

Peers from PyPI (python3 -m pip install -r Tools/bench/requirements.txt): fastmm, leuvenmapmatching, pyproj.
All three get the same walking network (streets.geojson, walk != false, both directions), the same metric CRS
(UTM 35N, as UrbanGrid picks for Helsinki), the same candidate radius (50 m), candidates per fix (8) and GPS σ (10 m).

Accuracy, over the fixes that are not outliers (the generator flags them): `segment` = matched to the true segment;
`within 10 m` = matched position within 10 m of the true position. Speed: fixes per second of matching alone
(fastmm's UBODT table and every network build reported apart; UrbanGrid's time is its whole command minus the same
command on a one-fix file, i.e. start-up, reading the streets and building the network taken out).
"""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STREETS = os.path.join(ROOT, "GeoData", "helsinki", "streets.geojson")

try:
    import pyproj
    import fastmm
    import leuvenmapmatching
    from leuvenmapmatching.map.inmem import InMemMap
    from leuvenmapmatching.matcher.distance import DistanceMatcher
except ImportError as e:
    sys.exit(f"patrol_bench.py needs fastmm, leuvenmapmatching and pyproj ({e}).\n"
             f"Install them with: python3 -m pip install -r Tools/bench/requirements.txt")

RADIUS, K, SIGMA = 50.0, 8, 10.0


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--urbangrid", default=os.path.join(ROOT, ".build", "release", "urbangrid"))
    ap.add_argument("--inspectors", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--leuven-fixes", type=int, default=3000, help="leuvenmapmatching (pure Python) gets the first N fixes' tracks")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "patrol-bench"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    gen = os.path.join(a.out, "traces")
    log(run([sys.executable, os.path.join(ROOT, "Tools", "patrol", "generate-traces.py"), gen, "--inspectors", str(a.inspectors),
             "--minutes", str(a.minutes), "--seed", str(a.seed)]).stdout.strip())
    truth = {int(r["index"]): r for r in csv.DictReader(open(os.path.join(gen, "truth-fixes.csv")))}
    fixes = list(csv.DictReader(open(os.path.join(gen, "tracks.csv"))))
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)
    true_xy = {i: tr.transform(float(r["lon"]), float(r["lat"])) for i, r in truth.items()}
    scored = [i for i, r in truth.items() if r["outlier"] == "0"]

    def score(per_fix):  # index -> (segment_id or None, x, y)
        seg = pos = 0
        for i in scored:
            m = per_fix.get(i)
            if not m or m[0] is None:
                continue
            seg += m[0] == truth[i]["segment_id"]
            pos += math.dist((m[1], m[2]), true_xy[i]) <= 10
        return seg / len(scored), pos / len(scored)

    results = {}
    # --- UrbanGrid
    db = os.path.join(a.out, "city.sqlite")
    if os.path.exists(db):
        os.remove(db)
    run([a.urbangrid, "init", db])
    run([a.urbangrid, "import", db, "--layer", "streets", STREETS])
    one = os.path.join(a.out, "one.csv")
    with open(one, "w") as f:
        f.write("inspector,time,lon,lat\n%s,%s,%s,%s\n" % (fixes[0]["inspector"], fixes[0]["time"], fixes[0]["lon"], fixes[0]["lat"]))
    tracks = os.path.join(gen, "tracks.csv")
    fixed, total = [], []
    for _ in range(3):
        t0 = time.perf_counter(); run([a.urbangrid, "patrol", "match", db, one, "--format", "json"]); fixed.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); out = run([a.urbangrid, "patrol", "match", db, tracks, "--format", "json"]).stdout; total.append(time.perf_counter() - t0)
    per = {}
    for m in json.loads(out):
        if m["segment_id"] is None:
            per[m["index"]] = (None, 0, 0)
        else:
            x, y = tr.transform(m["lon"], m["lat"])
            per[m["index"]] = (m["segment_id"], x, y)
    ug_s = statistics.median(total) - statistics.median(fixed)
    results["urbangrid"] = dict(fixes=len(fixes), match_s=ug_s, command_s=statistics.median(total), startup_s=statistics.median(fixed),
                                accuracy=score(per))
    log("urbangrid", results["urbangrid"])

    # --- the network for the peers
    feats = json.load(open(STREETS))["features"]
    nodes, segs = {}, []
    for f in feats:
        p = f["properties"]
        if p.get("walk") is False or (p.get("walk") is None and p.get("highway") in ("motorway", "motorway_link")):
            continue
        cs = f["geometry"]["coordinates"]
        ends = [nodes.setdefault((round(c[0], 7), round(c[1], 7)), len(nodes)) for c in (cs[0], cs[-1])]
        xy = [tr.transform(c[0], c[1]) for c in cs]
        segs.append((str(p["id"]), ends[0], ends[1], xy))
    by_insp = {}
    for i, r in enumerate(fixes):
        x, y = tr.transform(float(r["lon"]), float(r["lat"]))
        t = __import__("datetime").datetime.fromisoformat(r["time"]).timestamp()
        by_insp.setdefault(r["inspector"], []).append((i, x, y, t))
    # one trajectory per walk: split an inspector's fixes where more than 180 s pass (as UrbanGrid's --max-gap)
    walks = []
    for pts in by_insp.values():
        cur = [pts[0]]
        for p in pts[1:]:
            if p[3] - cur[-1][3] > 180:
                walks.append(cur); cur = []
            cur.append(p)
        walks.append(cur)

    # --- fastmm
    t0 = time.perf_counter()
    net = fastmm.Network()
    names = {}
    eid = 1
    for sid, u, v, xy in segs:
        net.add_edge(eid, source=u, target=v, geom=[tuple(c) for c in xy]); names[eid] = sid; eid += 1
        net.add_edge(eid, source=v, target=u, geom=[tuple(c) for c in reversed(xy)]); names[eid] = sid; eid += 1
    net.finalize()
    t_net = time.perf_counter() - t0
    cache = tempfile.mkdtemp(prefix="fastmm-ubodt-")
    t0 = time.perf_counter()
    mm = fastmm.FastMapMatch(net, fastmm.TransitionMode.SHORTEST, max_distance_between_candidates=400.0, cache_dir=cache)
    t_ubodt = time.perf_counter() - t0
    trajs = [(w, fastmm.Trajectory.from_xyt_tuples([(p[1], p[2], p[3]) for p in w])) for w in walks]
    runs = []
    for _ in range(3):
        per = {}
        t0 = time.perf_counter()
        res = [(w, mm.match(tj, max_candidates=K, candidate_search_radius=RADIUS, gps_error=SIGMA, reverse_tolerance=1e9)) for w, tj in trajs]
        runs.append(time.perf_counter() - t0)
    for w, r in res:
        for sub in r.subtrajectories:
            if sub.error_code != fastmm.MatchErrorCode.SUCCESS:
                continue
            for s in sub.segments:
                if s.edges:
                    for cand, edge in ((s.p0, s.edges[0]), (s.p1, s.edges[-1])):
                        per[w[cand.trajectory_index][0]] = (names[edge.edge_id], cand.x, cand.y)
    results["fastmm"] = dict(fixes=len(fixes), match_s=statistics.median(runs), network_s=t_net, ubodt_s=t_ubodt, accuracy=score(per),
                             version=fastmm.__version__)
    log("fastmm", results["fastmm"])

    # --- leuvenmapmatching on the first walks (pure Python: slow)
    t0 = time.perf_counter()
    lm = InMemMap("walk", use_latlon=False, use_rtree=True, index_edges=True)
    vid = len(nodes)
    edge_seg = {}
    for sid, u, v, xy in segs:
        chain = [u] + list(range(vid, vid + len(xy) - 2)) + [v]
        vid += len(xy) - 2
        for n, (x, y) in zip(chain, xy):
            lm.add_node(n, (y, x))
        for p, q in zip(chain, chain[1:]):
            lm.add_edge(p, q); lm.add_edge(q, p)
            edge_seg[(p, q)] = edge_seg[(q, p)] = sid
    lm.purge()
    t_lnet = time.perf_counter() - t0
    subset, n = [], 0
    for w in walks:
        if n >= a.leuven_fixes:
            break
        subset.append(w); n += len(w)
    per = {}
    t0 = time.perf_counter()
    for w in subset:
        matcher = DistanceMatcher(lm, max_dist=RADIUS, obs_noise=SIGMA, obs_noise_ne=2 * SIGMA, dist_noise=SIGMA,
                                  non_emitting_states=True, max_lattice_width=K)
        states, last = matcher.match([(p[2], p[1]) for p in w])
        nodes_lat = matcher.lattice_best
        for k, m in enumerate(nodes_lat):
            if m.obs < 0 or m.obs >= len(w) or m.edge_m is None:
                continue
            e = (m.edge_m.l1, m.edge_m.l2)
            py, px = m.edge_m.pi
            per[w[m.obs][0]] = (edge_seg.get(e), px, py)
    t_l = time.perf_counter() - t0
    sub_scored = set(p[0] for w in subset for p in w)
    seg = pos = 0
    cnt = 0
    for i in scored:
        if i not in sub_scored:
            continue
        cnt += 1
        m = per.get(i)
        if m and m[0] is not None:
            seg += m[0] == truth[i]["segment_id"]
            pos += math.dist((m[1], m[2]), true_xy[i]) <= 10
    results["leuvenmapmatching"] = dict(fixes=n, match_s=t_l, network_s=t_lnet, accuracy=(seg / max(cnt, 1), pos / max(cnt, 1)),
                                        version=leuvenmapmatching.__version__)
    log("leuven", results["leuvenmapmatching"])

    print("map matching, %d fixes (%d inspectors, %.0f min x 2 walks, 1-15 s fixes, sigma 5-15 m, 2%% outliers), seed %d"
          % (len(fixes), a.inspectors, a.minutes, a.seed))
    print("%-20s %10s %12s %12s %14s" % ("matcher", "fixes", "fixes/s", "segment", "within 10 m"))
    for name, r in results.items():
        print("%-20s %10d %12.0f %11.1f%% %13.1f%%" % (name, r["fixes"], r["fixes"] / r["match_s"], 100 * r["accuracy"][0], 100 * r["accuracy"][1]))
    ug, fm, lv = results["urbangrid"], results["fastmm"], results["leuvenmapmatching"]
    print("speed: urbangrid / fastmm = %.2f x, urbangrid / leuvenmapmatching = %.1f x (fixes/s); fastmm's UBODT %.2f s, network %.2f s; "
          "urbangrid start-up + network %.2f s"
          % ((ug["fixes"] / ug["match_s"]) / (fm["fixes"] / fm["match_s"]), (ug["fixes"] / ug["match_s"]) / (lv["fixes"] / lv["match_s"]),
             fm["ubodt_s"], fm["network_s"], ug["startup_s"]))
    print("accuracy (segment): urbangrid %.1f %%, fastmm %.1f %%, leuvenmapmatching %.1f %% (on its subset)"
          % (100 * ug["accuracy"][0], 100 * fm["accuracy"][0], 100 * lv["accuracy"][0]))
    json.dump(results, open(os.path.join(a.out, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
