#!/usr/bin/env python3
"""Network distance matrix: UrbanGrid's Dijkstra (`urbangrid-bench --cases network_matrix`) against SciPy's
`csgraph.dijkstra` on the same graph in one run: all shortest paths from the 953 candidate nodes of the siting
instances over the Helsinki walking graph (5,262 nodes, 6,119 undirected edges; GeoData/anchors/graph). Both sums of
the finite distances must agree (to 1 m over ~5 million entries); prints times and the ratio.
    python3 Tools/bench/network_bench.py [--bin .build/release] [--repeat 5]
"""
import argparse
import csv
import json
import statistics
import subprocess
import time

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    g = "GeoData/anchors/graph/"
    n = sum(1 for _ in open(g + "helsinki_walk_nodes.csv")) - 1
    rows = list(csv.DictReader(open(g + "helsinki_walk_edges.csv")))
    u = np.array([int(r["u_idx"]) for r in rows]); v = np.array([int(r["v_idx"]) for r in rows])
    w = np.array([float(r["length_m"]) for r in rows])
    graph = coo_matrix((w, (u, v)), shape=(n, n)).tocsr()
    sources = [int(r["node"]) for r in csv.DictReader(open("GeoData/anchors/instances/helsinki_A_100m/candidates.csv"))]
    runs = []
    for _ in range(a.repeat + 1):
        t = time.perf_counter()
        d = dijkstra(graph, directed=False, indices=sources)
        runs.append((time.perf_counter() - t) * 1e3)
    scipy_ms = statistics.median(runs[1:])
    scipy_sum = float(d[np.isfinite(d)].sum())
    out = subprocess.run([a.bin + "/urbangrid-bench", "--cases", "network_matrix", "--repeat", str(a.repeat)],
                         check=True, capture_output=True, text=True).stdout
    ours = [json.loads(line) for line in out.splitlines() if line.strip()]
    print(json.dumps({"case": "network_matrix", "engine": "scipy csgraph.dijkstra", "ms": round(scipy_ms, 1), "checksum": round(scipy_sum, 3)}))
    ok = True
    for r in ours:
        print(json.dumps(r))
        agree = abs(r["checksum"] - scipy_sum) < 1.0
        ok &= agree
        print(f"{r['engine']}: {r['ms']:.1f} ms, SciPy {scipy_ms:.1f} ms: ratio {scipy_ms / r['ms']:.2f}x; checksums {'agree' if agree else 'DIFFER'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
