#!/usr/bin/env python3
"""Compare UrbanGrid's benchmark output with the peers' (Tools/bench/peers.py).

usage: python3 Tools/bench/compare.py OURS.jsonl PEERS.jsonl

Both files hold one JSON object per line: {"case", "engine", "ms", "runs", "matched"?, "checksum"?, ...}.
Per case, our fastest engine is set against every peer engine (ratio = peer_ms / our_ms).
Exits 1 if any two records of a case disagree on `matched`, or on `checksum` beyond 1e-6 relative.
"""
import json
import sys

REL_TOL = 1e-6


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def ratio_text(peer_ms, our_ms):
    if our_ms <= 0:
        return "n/a"
    r = peer_ms / our_ms
    return f"{r:.1f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"


def extra(rec):
    parts = []
    if "matched" in rec:
        parts.append(f"matched={rec['matched']}")
    if "checksum" in rec:
        parts.append(f"checksum={rec['checksum']!r}")
    if "mb" in rec and rec.get("ms"):
        parts.append(f"{rec['mb'] / (rec['ms'] / 1e3):.1f} MB/s")
    return "  ".join(parts)


def check_agreement(case, recs):
    """All records of a case carrying `matched` / `checksum` must agree with the first one that does."""
    problems = []
    with_m = [r for r in recs if "matched" in r]
    for r in with_m[1:]:
        if r["matched"] != with_m[0]["matched"]:
            problems.append(f"matched: {r['side']}/{r['engine']}={r['matched']} vs "
                            f"{with_m[0]['side']}/{with_m[0]['engine']}={with_m[0]['matched']}")
    with_c = [r for r in recs if "checksum" in r]
    for r in with_c[1:]:
        a, b = float(r["checksum"]), float(with_c[0]["checksum"])
        if abs(a - b) > REL_TOL * max(abs(a), abs(b)):
            problems.append(f"checksum: {r['side']}/{r['engine']}={a!r} vs "
                            f"{with_c[0]['side']}/{with_c[0]['engine']}={b!r}")
    return [f"{case}: {p}" for p in problems]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    ours, peers = load(sys.argv[1]), load(sys.argv[2])
    for r in ours:
        r["side"] = "ours"
    for r in peers:
        r["side"] = "peer"
    cases = list(dict.fromkeys(r["case"] for r in ours + peers))
    problems = []
    for case in cases:
        mine = sorted((r for r in ours if r["case"] == case), key=lambda r: r["ms"])
        theirs = sorted((r for r in peers if r["case"] == case), key=lambda r: r["ms"])
        print(f"\n== {case}")
        best = mine[0] if mine else None
        for r in mine:
            tag = "ours*" if r is best else "ours "
            print(f"  {tag} {r['engine']:34} {r['ms']:11.1f} ms  {'':16}  {extra(r)}")
        if not mine:
            print("  ours  (no result)")
        for r in theirs:
            rt = ratio_text(r["ms"], best["ms"]) if best else ""
            print(f"  peer  {r['engine']:34} {r['ms']:11.1f} ms  {rt:16}  {extra(r)}")
        problems += check_agreement(case, mine + theirs)
    print()
    if problems:
        print("MISMATCH:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("OK: matched counts and checksums agree wherever both are present "
          "(ratio = peer ms / our best ms; * = our best engine)")


if __name__ == "__main__":
    main()
