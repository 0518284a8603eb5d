#!/usr/bin/env python3
"""Independent cross-check of UrbanModel's OpeningHours evaluator.

Generates opening_hours expressions in the subset UrbanModel supports (no PH: the oracle's holiday
calendars come from its own country data, which we cannot control), evaluates each at a set of local
times with the PyPI package `opening-hours-py` (Rust `opening-hours` crate), and writes
Tests/UrbanModelTests/Vectors/opening_hours_cases.json:

    {"package": "opening-hours-py 2.1.4", "generated": "2026-...", "cases": [
        {"expression": "...", "local": "2026-03-06T23:30", "open": true,
         "nextChange": "2026-03-07T02:00" | null, "disputed": null | "reason"}, ...]}

Times are naive local wall times (the Swift test reads them in Asia/Shanghai).

`disputed` marks expressions where the oracle is known to read the spec differently from UrbanModel:
a span past midnight belongs to its start day (domain-facts §4), so a later rule naming the *next* day
does not cut it and a later rule naming the *start* day does. The Rust crate does the opposite
(`Fr 18:00-02:00; Sa off` is closed on Sa 01:00 there; `We 22:00-02:00; We off` is open on Th 01:00).
It also reads `Mo-Th 15:30-19:00, 10:30-15:15` as one rule with two times, where the spec's grammar
(times joined by "," with no space, rules by ", ") and UrbanModel read an additional rule for every day.
The Swift test asserts agreement on every case without a dispute and counts the disputed ones.

Usage: pip install opening-hours-py && python3 Tools/oracle/opening_hours_check.py
"""
import datetime as dt
import json
import random
from importlib import metadata
from pathlib import Path

import opening_hours

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/UrbanModelTests/Vectors/opening_hours_cases.json"
DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
WEEK_START = dt.datetime(2026, 3, 2)  # a Monday

rng = random.Random(20261121)


def hm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def rand_days():
    """(text, set of weekday indexes or None for every day)."""
    kind = rng.choice(["single", "range", "wrap", "list", "mixed", "none"])
    if kind == "none":
        return None, None
    if kind == "single":
        d = rng.randrange(7)
        return DAYS[d], {d}
    if kind in ("range", "wrap"):
        a = rng.randrange(7)
        n = rng.randrange(1, 6)
        b = (a + n) % 7
        if kind == "range" and b < a:
            a, b = b, a
        days, d = set(), a
        while True:
            days.add(d)
            if d == b:
                break
            d = (d + 1) % 7
        return f"{DAYS[a]}-{DAYS[b]}", days
    picks = sorted(rng.sample(range(7), rng.randrange(2, 4)))
    if kind == "list":
        return ",".join(DAYS[d] for d in picks), set(picks)
    a = rng.randrange(5)
    rest = [d for d in picks if d not in (a, a + 1, a + 2)]
    days = {a, a + 1, a + 2} | set(rest)
    return ",".join([f"{DAYS[a]}-{DAYS[a + 2]}"] + [DAYS[d] for d in rest]), days


def rand_times():
    """(text, list of (start, end) in minutes with end possibly past 24:00)."""
    kind = rng.choice(["one", "one", "two", "wrap", "extended", "till24", "none"])
    q = lambda lo, hi: rng.randrange(lo, hi) * 15  # quarter hours
    if kind == "none":
        return None, []
    if kind == "one":
        s = q(20, 70)
        e = s + q(2, 30)
        return f"{hm(s)}-{hm(min(e, 1439))}", [(s, min(e, 1439))]
    if kind == "two":
        s1 = q(24, 44)
        e1 = s1 + q(2, 12)
        s2 = e1 + q(1, 8)
        e2 = s2 + q(2, 16)
        e2 = min(e2, 1440)
        return f"{hm(s1)}-{hm(e1)},{hm(s2)}-{hm(e2)}", [(s1, e1), (s2, e2)]
    if kind == "wrap":
        s = q(68, 94)
        e = q(0, 20)
        return f"{hm(s)}-{hm(e)}", [(s, e + 1440)]
    if kind == "extended":
        s = q(64, 92)
        e = 1440 + q(1, 24)
        return f"{hm(s)}-{e // 60:02d}:{e % 60:02d}", [(s, e)]
    s = q(40, 80)
    return f"{hm(s)}-24:00", [(s, 1440)]


def rand_rule():
    days_text, days = rand_days()
    times_text, times = rand_times()
    off = rng.random() < 0.2 and days_text is not None
    if off and rng.random() < 0.5:
        times_text, times = None, []
    parts = [p for p in (days_text, times_text) if p]
    if off:
        parts.append(rng.choice(["off", "closed"]))
    if not parts:
        parts, times = ["24/7"], [(0, 1440)]
    return {"text": " ".join(parts), "days": days, "times": times, "off": off}


def disputed(rules):
    """Why the oracle is expected to differ, or None (see the module doc)."""
    for later in rules[1:]:
        if later["sep"] == ", " and later["days"] is None and later["text"][0].isdigit() and later["text"] != "24/7":
            return "an additional rule that starts with a time: the oracle continues the previous time list"
    for i, r in enumerate(rules):
        if not any(e > 1440 for _, e in r["times"]) or r["off"]:
            continue
        start_days = set(range(7)) if r["days"] is None else r["days"]
        touched = start_days | {(d + 1) % 7 for d in start_days}
        for later in rules[i + 1:]:
            overrides = later["sep"] != ", " or later["off"]
            later_days = set(range(7)) if later["days"] is None else later["days"]
            if overrides and later_days & touched:
                return "a later rule overrides a day touched by a span past midnight"
    return None


def expression():
    n = rng.choice([1, 1, 2, 2, 3])
    rules = []
    for i in range(n):
        r = rand_rule()
        r["sep"] = "" if i == 0 else rng.choice(["; ", "; ", ", ", " || "])
        rules.append(r)
    return "".join(r["sep"] + r["text"] for r in rules), rules


FIXED = [
    "Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00",
    "Fr,Sa 18:00-02:00",
    "Mo-Fr 17:00-22:00; Sa,Su 10:00-23:00",
    "Mo-Fr 08:00-18:00; We off",
    "Mo-Fr 08:00-18:00; We 12:00-13:00 off",
    "Mo-Fr 08:00-18:00, We 12:00-13:00 off",
    "Mo-Su 10:00-12:00, Mo-Fr 14:00-18:00",
    "Fr-Mo 16:00-22:00",
    "18:00-26:00",
    "Mo 18:00-48:00",
    "10:00-10:00",
    "24/7",
    "24/7; Su off",
    "off",
    "Mo-Fr",
    "Sa,Su closed",
    "Mo-Fr 08:00-12:00 || 13:00-14:00",
    "Mo-Fr 08:00-12:00; Sa off || 10:00-11:00",
    "Mo-Fr 06:00-09:00,17:00-21:00",
    "Mo-Fr 00:00-24:00",
    "Tu,Th 20:00-24:00",
    "Fr 18:00-02:00; Sa off",
    "We 22:00-02:00; We off",
]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M")


def times_for(rules):
    """Random local times in the week plus the span edges (and a minute either side)."""
    out = set()
    for _ in range(6):
        out.add(WEEK_START + dt.timedelta(minutes=rng.randrange(7 * 1440)))
    for r in rules:
        for s, e in r["times"]:
            day = WEEK_START + dt.timedelta(days=rng.randrange(7))
            for m in (s, e):
                for delta in (-1, 0):
                    out.add(day + dt.timedelta(minutes=m + delta))
    return sorted(out)


def main():
    version = metadata.version("opening-hours-py")
    cases, rejected = [], []
    exprs = [(e, None) for e in FIXED]
    seen = set(FIXED)
    while len(exprs) < 70:
        e, rules = expression()
        if e not in seen:
            seen.add(e)
            exprs.append((e, rules))
    for text, rules in exprs:
        try:
            oh = opening_hours.OpeningHours(text)
        except Exception as err:  # the oracle rejects it: report, do not guess
            rejected.append({"expression": text, "error": str(err).splitlines()[-1].strip()})
            continue
        if rules is None:
            when = [WEEK_START + dt.timedelta(days=d, hours=h, minutes=m)
                    for d in range(7) for h, m in ((0, 30), (1, 59), (2, 0), (10, 0), (12, 30), (17, 59), (23, 30))]
            why = "a later rule overrides a day touched by a span past midnight" \
                if text in ("Fr 18:00-02:00; Sa off", "We 22:00-02:00; We off") else None
        else:
            when = times_for(rules)
            why = disputed(rules)
        for t in when:
            nxt = oh.next_change(t)
            cases.append({
                "expression": text,
                "local": iso(t),
                "open": bool(oh.is_open(t)),
                "nextChange": None if nxt is None else iso(nxt.replace(tzinfo=None)),
                "disputed": why,
            })
    doc = {
        "package": f"opening-hours-py {version}",
        "generated": dt.date.today().isoformat(),
        "generator": "Tools/oracle/opening_hours_check.py (seed 20261121)",
        "timeZone": "local wall time; the Swift test reads it in Asia/Shanghai",
        "rejectedByOracle": rejected,
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases from {len(exprs) - len(rejected)} expressions "
          f"({sum(1 for c in cases if c['disputed'])} disputed, {len(rejected)} rejected) -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
