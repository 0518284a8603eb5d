#!/usr/bin/python3
"""Kill-and-check: UrbanGrid's writes killed at random moments leave the database whole and all-or-nothing.

Run by Tools/crash-check.sh (which builds the binaries); Debian's /usr/bin/python3, whose sqlite3 loads
mod_spatialite. For each round it copies a prepared database, starts the real command on it, sends SIGKILL after a
delay drawn uniformly from [0, 1.1 × the command's measured run time] (so kills land before, inside and after the
write transaction), and then checks, on the database as the kill left it (WAL and all):

  * PRAGMA integrity_check = ok, and rtreecheck() = ok for every spatial index (R*Tree) of the layer written;
  * the layer written holds exactly the rows it had before (same digest of every column, geometry included) or
    exactly the rows a complete run writes (the digest of an uninterrupted reference run): all or nothing;
  * for grid build: the old grid (and the hazards' grid codes) or the complete new one.

Then, separately:
  * readers during a long write (WAL): while `urbangrid grid build` rewrites the grid, SELECTs through SpatiaLite and
    `urbangrid lookup` keep answering, and every answer shows the old grid or the new one, never a mixture;
  * exports killed (SIGKILL) or interrupted (SIGINT) at random moments leave under the final name either the older
    file that was there (byte for byte) or the complete new export, never a partial file; after SIGINT no temporary
    file is left either.

Prints rounds, kills per phase, failures; exits 1 on any failure.
    /usr/bin/python3 Tools/check/crash_check.py --bin .build/release [--rounds 200] [--seed N] [--keep DIR]
"""
import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEL = os.path.join(ROOT, "GeoData", "helsinki")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def connect(path, spatial=False, readonly=False):
    uri = "file:" + path + ("?mode=ro" if readonly else "")
    c = sqlite3.connect(uri, uri=True, timeout=30)
    if spatial:
        c.enable_load_extension(True)
        c.load_extension("mod_spatialite")
    return c


def digest(path, tables):
    """A digest of every row and column of `tables` (geometry blobs included), in id order, and the row counts."""
    c = connect(path)
    try:
        h = hashlib.sha256()
        counts = {}
        for t in tables:
            rows = c.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            counts[t] = len(rows)
            for r in rows:
                h.update(repr(r).encode())
        return h.hexdigest()[:16], counts
    finally:
        c.close()


def integrity(path, tables):
    """PRAGMA integrity_check and rtreecheck() of the tables' spatial indexes: a list of problems (empty when whole)."""
    c = connect(path)
    try:
        problems = []
        r = [x[0] for x in c.execute("PRAGMA integrity_check").fetchall()]
        if r != ["ok"]:
            problems.append("integrity_check: " + "; ".join(r[:5]))
        for t in tables:
            idx = f"idx_{t}_geom"
            if c.execute("SELECT count(*) FROM sqlite_master WHERE name = ?", (idx,)).fetchone()[0]:
                rc = c.execute("SELECT rtreecheck(?)", (idx,)).fetchone()[0]
                if rc != "ok":
                    problems.append(f"rtreecheck({idx}): {rc[:200]}")
                n_idx = c.execute(f"SELECT count(*) FROM {idx}").fetchone()[0]
                n_geom = c.execute(f"SELECT count(*) FROM {t} WHERE geom IS NOT NULL").fetchone()[0]
                if n_idx != n_geom:
                    problems.append(f"{idx} has {n_idx} entries, {t} has {n_geom} geometries")
        return problems
    finally:
        c.close()


def copy_db(src, dst):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
    shutil.copyfile(src, dst)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


class Phase:
    """One kind of write: a command on a copy of `base`, changing `tables` (checked all or nothing)."""

    def __init__(self, name, base, tables, cmd):
        self.name, self.base, self.tables, self.cmd = name, base, tables, cmd
        self.kills = self.completed = self.before_state = self.after_state = self.failures = 0
        self.wal_at_kill = 0  # kills that found the write's pages in the WAL already (killed while writing or just after)
        self.focused = 0  # rounds whose kill was aimed at the write (see kill_round)
        self.seconds = 0.0


def prepare(a, work):
    ug = os.path.join(a.bin, "urbangrid")
    base = os.path.join(work, "base.sqlite")
    run([ug, "init", base])
    run([ug, "import", base, "--layer", "admin", os.path.join(HEL, "admin.geojson")])
    # a grid already there, which a rebuild replaces (the old one must survive any kill)
    run([ug, "grid", "build", base, "--shape", "square", "--cell-size", "100"])
    run([ug, "import", base, "--layer", "streets", os.path.join(HEL, "streets.geojson")])
    run([ug, "import", base, "--layer", "hazards", os.path.join(HEL, "hazards.geojson")])
    # the bases of the import phases: everything above but the layer imported in the round
    no_streets = os.path.join(work, "base-no-streets.sqlite")
    run([ug, "init", no_streets])
    run([ug, "import", no_streets, "--layer", "admin", os.path.join(HEL, "admin.geojson")])
    # a CSV large enough for the bulk path (R*Tree dropped and rebuilt inside the transaction, over 10,000 rows)
    csv = os.path.join(work, "demand.csv")
    rnd = random.Random(7)
    c = connect(base)
    w, s, e, n = c.execute("SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM idx_admin_geom").fetchone()
    c.close()
    with open(csv, "w") as f:
        f.write("id,name,weight,lon,lat\n")
        for i in range(a.csv_rows):
            f.write(f"d{i},demand {i},{rnd.randint(1, 500)},{w + rnd.random() * (e - w):.7f},{s + rnd.random() * (n - s):.7f}\n")
    phases = [
        Phase("import streets (GeoJSON, noded)", no_streets, ["streets"],
              [ug, "import", "DB", "--layer", "streets", os.path.join(HEL, "streets.geojson")]),
        Phase("import pois (GeoJSON)", base, ["pois"], [ug, "import", "DB", "--layer", "pois", os.path.join(HEL, "pois.geojson")]),
        Phase(f"import demand (CSV, {a.csv_rows} rows)", base, ["demand"], [ug, "import", "DB", "--layer", "demand", csv]),
        Phase("grid build (100 m -> 25 m)", base, ["grids", "hazards"],
              [ug, "grid", "build", "DB", "--shape", "square", "--cell-size", "25"]),
    ]
    return base, phases


def reference(phase, work):
    """Runs the phase's command to completion twice: its run time and the digest of the complete result."""
    db = os.path.join(work, "ref.sqlite")
    phase.before = digest(phase.base, phase.tables)
    results = []
    for _ in range(2):
        copy_db(phase.base, db)
        t0 = time.monotonic()
        p = subprocess.Popen([db if x == "DB" else x for x in phase.cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wal_at = None
        while p.poll() is None:  # when the write reaches the WAL: where the focused rounds aim
            if wal_at is None and os.path.exists(db + "-wal") and os.path.getsize(db + "-wal") > 0:
                wal_at = time.monotonic() - t0
            time.sleep(0.002)
        if p.returncode != 0:
            raise SystemExit(f"crash-check: {phase.name}: the command failed ({p.returncode})")
        phase.seconds = max(phase.seconds, time.monotonic() - t0)
        if wal_at is not None:
            phase.write_at = min(getattr(phase, "write_at", wal_at), wal_at)
        results.append(digest(db, phase.tables))
    if results[0] != results[1]:
        raise SystemExit(f"crash-check: {phase.name}: two complete runs wrote different rows ({results}); cannot check all-or-nothing")
    phase.after = results[0]
    if phase.after == phase.before:
        raise SystemExit(f"crash-check: {phase.name}: the command changes nothing; cannot check all-or-nothing")


def kill_round(phase, work, rnd, failures, focused=False):
    db = os.path.join(work, "round.sqlite")
    copy_db(phase.base, db)
    delay = rnd.uniform(0, 1.1 * phase.seconds)
    p = subprocess.Popen([db if x == "DB" else x for x in phase.cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if focused:
        # aimed at the write itself: watch the WAL, and once the write's first pages reach it, kill within the next
        # 0-30 ms (while SQLite writes the transaction's pages and its commit frame, or just after)
        phase.focused += 1
        while p.poll() is None and not (os.path.exists(db + "-wal") and os.path.getsize(db + "-wal") > 0):
            time.sleep(0.0005)
        delay = rnd.uniform(0, 0.03)
    try:
        p.wait(timeout=max(delay, 0))
        phase.completed += 1  # finished before the kill: still checked below
        if p.returncode != 0:
            failures.append(f"{phase.name}: exited {p.returncode} without a kill")
    except subprocess.TimeoutExpired:
        wal = os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0
        p.send_signal(signal.SIGKILL)
        p.wait()
        phase.kills += 1
        if wal > 0:
            phase.wal_at_kill += 1
    problems = integrity(db, phase.tables)
    state = digest(db, phase.tables)
    if state == phase.before:
        phase.before_state += 1
    elif state == phase.after:
        phase.after_state += 1
    else:
        problems.append(f"partial data: {state[1]} rows (before {phase.before[1]}, complete {phase.after[1]})")
    if problems:
        phase.failures += 1
        saved = os.path.join(work, f"failed-{len(failures)}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                shutil.copyfile(db + suffix, saved + suffix)
        failures.append(f"{phase.name}, killed after {delay:.2f} s: " + "; ".join(problems) + f" (kept as {saved})")


def readers_during_write(a, base, work, failures):
    """While `grid build` rewrites the grid (one long transaction), read the grid from other processes: SpatiaLite
    SELECTs and `urbangrid lookup`. Every read must answer, and show the old grid or the new one."""
    ug = os.path.join(a.bin, "urbangrid")
    db = os.path.join(work, "readers.sqlite")
    copy_db(base, db)
    c = connect(db, spatial=True, readonly=True)
    old = c.execute("SELECT count(*), total(area_m2) FROM grids").fetchone()
    # a spot inside the first cell, for the lookups
    x, y = c.execute("SELECT X(PointOnSurface(geom)), Y(PointOnSurface(geom)) FROM grids ORDER BY code LIMIT 1").fetchone()
    c.close()
    old_code = json.loads(subprocess.run([ug, "lookup", db, "--lon", repr(x), "--lat", repr(y), "--format", "json"],
                                         check=True, capture_output=True, text=True).stdout)["grid_code"]
    stats = {"sql": 0, "lookup": 0, "sql_max_ms": 0.0, "lookup_max_ms": 0.0, "states": set(), "errors": []}
    writer = subprocess.Popen([ug, "grid", "build", db, "--shape", "square", "--cell-size", "25"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t_start = time.monotonic()

    def sql_reader():
        while writer.poll() is None:
            t0 = time.monotonic()
            try:
                r = connect(db, spatial=True, readonly=True)
                # one snapshot: the count and the R*Tree-backed point query in one read transaction
                r.execute("BEGIN")
                n = r.execute("SELECT count(*), total(area_m2) FROM grids").fetchone()
                hit = r.execute("""SELECT code FROM grids WHERE pk IN (SELECT pkid FROM idx_grids_geom WHERE xmin <= ? AND xmax >= ?
                                   AND ymin <= ? AND ymax >= ?) AND ST_Covers(geom, MakePoint(?, ?, 4326))""", (x, x, y, y, x, y)).fetchall()
                r.execute("COMMIT")
                r.close()
                if not hit:
                    stats["errors"].append(f"SQL reader: no cell covers ({x}, {y}) in a grid of {n[0]} cells")
                stats["states"].add(n[0])
                stats["sql"] += 1
                stats["sql_max_ms"] = max(stats["sql_max_ms"], (time.monotonic() - t0) * 1000)
            except sqlite3.Error as e:
                stats["errors"].append(f"SQL reader: {e}")
            time.sleep(0.02)

    def lookup_reader():
        while writer.poll() is None:
            t0 = time.monotonic()
            r = subprocess.run([ug, "lookup", db, "--lon", repr(x), "--lat", repr(y), "--format", "json"], capture_output=True, text=True)
            if writer.poll() is not None and r.returncode != 0:
                break
            if r.returncode != 0:
                stats["errors"].append(f"urbangrid lookup exited {r.returncode}: {r.stderr.strip()[-300:]}")
            elif not json.loads(r.stdout).get("grid_code"):
                stats["errors"].append(f"urbangrid lookup found no grid cell: {r.stdout.strip()}")
            else:
                stats["lookup"] += 1
                stats["lookup_max_ms"] = max(stats["lookup_max_ms"], (time.monotonic() - t0) * 1000)

    threads = [threading.Thread(target=sql_reader), threading.Thread(target=lookup_reader)]
    for t in threads:
        t.start()
    _, err = writer.communicate()
    write_s = time.monotonic() - t_start
    for t in threads:
        t.join()
    if writer.returncode != 0:
        failures.append(f"readers during a write: grid build failed: {err.strip()[-300:]}")
    c = connect(db, spatial=True, readonly=True)
    new = c.execute("SELECT count(*), total(area_m2) FROM grids").fetchone()
    c.close()
    bad_states = stats["states"] - {old[0], new[0]}
    if bad_states:
        failures.append(f"readers saw grids of {sorted(bad_states)} cells: neither the old {old[0]} nor the new {new[0]}")
    if stats["sql"] == 0 or stats["lookup"] == 0:
        failures.append(f"readers during a write: {stats['sql']} SQL reads and {stats['lookup']} lookups answered during the write")
    failures.extend(stats["errors"][:10])
    print(f"readers during a {write_s:.1f} s grid build (old grid {old[0]} cells, new {new[0]}): {stats['sql']} SpatiaLite SELECTs "
          f"(slowest {stats['sql_max_ms']:.0f} ms), {stats['lookup']} `urbangrid lookup` runs (slowest {stats['lookup_max_ms']:.0f} ms, "
          f"first answer {old_code}), grid sizes seen {sorted(stats['states'])}, errors {len(stats['errors'])}")


def export_rounds(a, base, work, rnd, rounds, failures):
    """Exports killed at random moments: the final name keeps the old file or gets the complete new one."""
    ex = os.path.join(a.bin, "urbangrid-export")
    out_dir = os.path.join(work, "exports")
    os.makedirs(out_dir, exist_ok=True)
    kinds = [("geojson", "streets.geojson"), ("csv", "streets.csv"), ("gpkg", "streets.gpkg")]
    refs = {}
    for fmt, name in kinds:
        ref = os.path.join(work, "ref-" + name)
        t0 = time.monotonic()
        run([ex, base, "--layer", "streets", "--format", fmt, "--out", ref])
        seconds = time.monotonic() - t0
        refs[fmt] = (ref, seconds, content_digest(ref, fmt))
    ref_csvt = open(os.path.join(work, "ref-streets.csvt"), "rb").read()  # the CSV's companion (GDAL's column types)
    old = b"an older export, which must survive any interrupted one\n"
    old_csvt = b"String,String\n"
    results = {}
    for i in range(rounds):
        fmt, name = kinds[i % len(kinds)]
        sig = signal.SIGKILL if (i // len(kinds)) % 2 == 0 else signal.SIGINT
        ref, seconds, ref_digest = refs[fmt]
        target = os.path.join(out_dir, name)
        for f in glob.glob(os.path.join(out_dir, "*")) + glob.glob(os.path.join(out_dir, ".*")):
            os.remove(f)
        with open(target, "wb") as f:
            f.write(old)
        if fmt == "csv":
            with open(target + "t", "wb") as f:
                f.write(old_csvt)
        delay = rnd.uniform(0, 1.1 * seconds)
        p = subprocess.Popen([ex, base, "--layer", "streets", "--format", fmt, "--out", target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        key = (fmt, signal.Signals(sig).name)
        r = results.setdefault(key, {"kills": 0, "completed": 0, "old": 0, "new": 0, "temp_left": 0})
        try:
            p.wait(timeout=delay)
            r["completed"] += 1
        except subprocess.TimeoutExpired:
            p.send_signal(sig)
            p.wait()
            r["kills"] += 1
        data = open(target, "rb").read() if os.path.exists(target) else None
        companion = open(target + "t", "rb").read() if fmt == "csv" and os.path.exists(target + "t") else None
        leftovers = [f for f in os.listdir(out_dir) if f not in (name, name + "t")]
        if data == old:
            r["old"] += 1
            if fmt == "csv" and companion != old_csvt:
                r["mixed"] = r.get("mixed", 0) + 1
                failures.append(f"export csv interrupted by {key[1]} after {delay:.2f} s: the old .csv beside a new or missing .csvt")
        elif data is not None and content_digest(target, fmt) == ref_digest:
            r["new"] += 1
            if fmt == "csv" and companion != ref_csvt:
                r["mixed"] = r.get("mixed", 0) + 1
                failures.append(f"export csv interrupted by {key[1]} after {delay:.2f} s: the new .csv beside the old or no .csvt")
        else:
            failures.append(f"export {fmt} interrupted by {key[1]} after {delay:.2f} s: the final name holds "
                            + ("nothing" if data is None else f"{len(data)} bytes that are neither the old file nor the complete export"))
        if leftovers:
            r["temp_left"] += 1
            if sig == signal.SIGINT:
                failures.append(f"export {fmt} interrupted by SIGINT after {delay:.2f} s left {leftovers}")
    for (fmt, sig), r in sorted(results.items()):
        print(f"  export {fmt:8} {sig:8} runs {r['kills'] + r['completed']:3}  interrupted {r['kills']:3}  finished first {r['completed']:3}  "
              f"old file kept {r['old']:3}  complete new {r['new']:3}  temporary left {r['temp_left']:3}"
              + (f"  .csv/.csvt mixed {r.get('mixed', 0)}" if fmt == "csv" else ""))
    return results


def content_digest(path, fmt):
    if fmt == "gpkg":  # a SQLite file: compare what it holds, not its bytes (page layout may differ)
        c = connect(path, readonly=True)
        try:
            if c.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return "corrupt"
            return hashlib.sha256(repr(c.execute("SELECT * FROM streets ORDER BY 1").fetchall()).encode()).hexdigest()
        except sqlite3.Error as e:
            return f"unreadable: {e}"
        finally:
            c.close()
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    ap.add_argument("--rounds", type=int, default=200, help="kill rounds over the import and grid-build phases")
    ap.add_argument("--export-rounds", type=int, help="kill rounds of exports (default rounds / 4)")
    ap.add_argument("--csv-rows", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", help="work folder to keep")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    work = a.keep or tempfile.mkdtemp(prefix="urbangrid-crash-check-")
    os.makedirs(work, exist_ok=True)
    rnd = random.Random(a.seed)
    failures = []
    t0 = time.monotonic()
    log(f"crash-check: seed {a.seed}, work folder {work}, binaries {a.bin}")
    base, phases = prepare(a, work)
    for p in phases:
        reference(p, work)
        print(f"phase: {p.name}: a complete run takes {p.seconds:.2f} s, the WAL first grows at "
              f"{getattr(p, 'write_at', float('nan')):.2f} s; rows {p.before[1]} -> {p.after[1]}")
    sys.stdout.flush()
    for i in range(a.rounds):
        # every other round of a phase aims at its write (the last stretch of the run); the others anywhere in it
        kill_round(phases[i % len(phases)], work, rnd, failures, focused=(i // len(phases)) % 2 == 1)
        if (i + 1) % 20 == 0:
            log(f"crash-check: {i + 1}/{a.rounds} rounds, {len(failures)} failures")
    print(f"kill rounds: {a.rounds} (SIGKILL at a random moment: half uniform in [0, 1.1 x run time], half aimed at the write: "
          f"0-30 ms after its first pages reach the WAL)")
    for p in phases:
        print(f"  {p.name:34} rounds {p.kills + p.completed:3} ({p.focused} aimed)  killed {p.kills:3}  finished first {p.completed:3}  "
              f"WAL written at the kill {p.wal_at_kill:3}  left as before {p.before_state:3}  left complete {p.after_state:3}  failures {p.failures}")
    readers_during_write(a, base, work, failures)
    n_export = a.export_rounds if a.export_rounds is not None else max(6, a.rounds // 4)
    print(f"export rounds: {n_export} (streets as GeoJSON, CSV, GeoPackage over an older file; SIGKILL and SIGINT)")
    export_rounds(a, base, work, rnd, n_export, failures)
    print(f"crash-check: {a.rounds} kill rounds, {n_export} export rounds, 1 reader check in {time.monotonic() - t0:.0f} s: "
          f"{len(failures)} failures")
    for f in failures:
        print("FAIL " + f)
    if not a.keep and not failures:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
