"""Closest matches for connecting a profile (the sandbox's `matching.closest`) at N members.

    uv run python bench/closest_matches.py [--members 1000000] [--queries 500] [--db PATH]
                                           [--json PATH]

Builds a sandbox database of N members (or reuses --db when it holds N), then runs --queries
candidates drawn from real members with noise: a typo in the last name (40%) or the first name
(20%), no email (70%), another employer (30%), a city or none. Prints latency p50/p95/p99, the
members scored per query (mean, max, share of N), the share of time spent scoring, and recall@5
of the member each query came from (and the share of queries whose member was scored at all).

The physical limit, measured in the same run: rapidfuzz `ratio` comparisons per second on one
core (`cdist` over the members' names), and from it what scoring every member would cost per
query. Nothing here is pass/fail.
"""

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import git_sha
from rapidfuzz import fuzz, process

from sandbox import matching
from sandbox.clock import Clock
from sandbox.db import Database
from sandbox.tenant import Pools, seed_if_new

SEED = 42
GOAL_P95_MS = 25.0
GOAL_SCORED_SHARE = 0.005
GOAL_SCORING_SHARE = 0.20
LIMIT_QUERIES = 20  # names compared with all N members for the comparisons/s ceiling


def members_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM members WHERE id >= 100").fetchone()[0])


def prepare(path: Path, members: int) -> None:
    """A database of `members` generated members at `path`, built unless it is there already."""
    if path.exists():
        if members_in(path) != members:
            raise SystemExit(f"--db: {path} holds another number of members; name a new file")
        Database(path).create()  # indexes added since it was built
        print(f"database: reusing {members:,} members in {path}")
        return
    started = time.perf_counter()
    db = Database(path)
    db.create()
    seed_if_new(db, member_count=members, seed=SEED, now_ms=Clock().now_ms())
    print(f"database: {members:,} members built in {time.perf_counter() - started:.1f} s")


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a letter dropped, doubled, swapped with the next, or replaced."""
    if len(word) < 2:
        return word
    at = rng.randrange(len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[: at + 1] + word[at:]
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[at + 1 :]


@dataclass(frozen=True)
class Probe:
    """A noisy candidate and the member it was drawn from."""

    candidate: dict[str, Any]
    member_id: int
    noise: str


def probes(conn: sqlite3.Connection, count: int, members: int) -> list[Probe]:
    rng = random.Random(SEED)  # noqa: S311 - repeatable queries, not secrets
    companies = Pools.draw(SEED).companies
    ids = rng.sample(range(100, 100 + members), count)
    rows = conn.execute(
        "SELECT * FROM members WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
    ).fetchall()
    found = []
    for row in rows:
        first, last, noise = row["first_name"], row["last_name"], []
        roll = rng.random()
        if roll < 0.4:
            last, noise = typo(last, rng), [*noise, "last-name typo"]
        elif roll < 0.6:
            first, noise = typo(first, rng), [*noise, "first-name typo"]
        candidate: dict[str, Any] = {"firstName": first, "lastName": last}
        if row["email"] and rng.random() < 0.3:
            candidate["emailAddresses"] = [row["email"]]
        else:
            noise.append("no email")
        if rng.random() < 0.3:
            candidate["currentCompanyName"] = rng.choice(companies)
            noise.append("other employer")
        else:
            candidate["currentCompanyName"] = row["company"]
        if rng.random() < 0.5:
            candidate["addresses"] = [{"city": row["location"].split(",")[0]}]
        found.append(Probe(candidate, row["id"], ", ".join(noise) or "exact"))
    return found


@dataclass
class Timed:
    seconds: float
    scoring_seconds: float
    scored: int
    blocked: bool  # the member was among those scored
    hit: bool  # and ranked in the top 5
    noise: str


def run(conn: sqlite3.Connection, probe: Probe) -> Timed:
    """One closest-match query, timed as matching.closest runs it: blocking, then scoring."""
    started = time.perf_counter()
    query = matching.Query.of(probe.candidate)
    block = matching.blocked(conn, query)
    scoring = time.perf_counter()
    ranked = matching.rank(block, query, 5)
    ended = time.perf_counter()
    scored = {row["id"] for row in block.exact + block.by_name}
    hit = probe.member_id in {m.member_id for m in ranked}
    return Timed(
        ended - started, ended - scoring, len(block), probe.member_id in scored, hit, probe.noise
    )


def comparisons_per_second(conn: sqlite3.Connection) -> float:
    """rapidfuzz `ratio` over every member's name on one core: the raw rate of comparing."""
    names = [r[0] for r in conn.execute("SELECT first_name || ' ' || last_name FROM members")]
    queries = names[:: max(1, len(names) // LIMIT_QUERIES)][:LIMIT_QUERIES]
    started = time.perf_counter()
    process.cdist(queries, names, scorer=fuzz.ratio, dtype="uint8", workers=1)
    return len(queries) * len(names) / (time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--db", type=Path, help="keep the built database here for later runs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.members < args.queries or args.queries < 1:
        parser.error("--queries: at least 1 and no more than --members")
    started_load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "sandbox.sqlite3"
        prepare(path, args.members)
        with Database(path).reading() as conn:
            drawn = probes(conn, args.queries, args.members)
            for probe in drawn[:50]:  # warm the page cache and the indexes
                run(conn, probe)
            timed = [run(conn, probe) for probe in drawn]
            raw_rate = comparisons_per_second(conn)
    figures = summarise(timed, args.members, raw_rate)
    report(figures, timed, args.members)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "closest_matches",
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "git": git_sha(),
                    "load_avg": {"start": started_load, "end": os.getloadavg()},
                    "params": {"members": args.members, "queries": args.queries, "seed": SEED},
                    "figures": figures,
                },
                indent=2,
            )
        )


def summarise(timed: list[Timed], members: int, raw_rate: float) -> dict[str, float]:
    latencies = [t.seconds * 1000 for t in timed]
    scored = [t.scored for t in timed]
    scoring = sum(t.scoring_seconds for t in timed)
    p95 = percentile(latencies, 0.95)
    brute_force_ms = members / raw_rate * 1000
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": p95,
        "p99_ms": percentile(latencies, 0.99),
        "scored_mean": statistics.mean(scored),
        "scored_max": max(scored),
        "scored_max_share_of_members": max(scored) / members,
        "scoring_share_of_time": scoring / sum(t.seconds for t in timed),
        "scored_per_second_of_scoring": sum(scored) / scoring if scoring else 0.0,
        "recall_at_5": sum(t.hit for t in timed) / len(timed),
        "blocking_recall": sum(t.blocked for t in timed) / len(timed),
        "raw_comparisons_per_second": raw_rate,
        "brute_force_ms_per_query": brute_force_ms,
        "brute_force_over_p95": brute_force_ms / p95,
    }


def report(figures: dict[str, float], timed: list[Timed], members: int) -> None:
    f = figures
    print(f"\nclosest matches, {len(timed)} queries at {members:,} members")
    print(
        f"  latency            p50 {f['p50_ms']:.2f} ms, p95 {f['p95_ms']:.2f} ms, "
        f"p99 {f['p99_ms']:.2f} ms (goal p95 <= {GOAL_P95_MS:g} ms)"
    )
    print(
        f"  members scored     mean {f['scored_mean']:,.0f}, max {f['scored_max']:,} = "
        f"{f['scored_max_share_of_members']:.3%} of N (goal <= {GOAL_SCORED_SHARE:.1%})"
    )
    print(
        f"  time in scoring    {f['scoring_share_of_time']:.0%} "
        f"(goal <= {GOAL_SCORING_SHARE:.0%}); the rest is the indexed lookups"
    )
    print(
        f"  recall@5           {f['recall_at_5']:.1%} of the members the queries came from "
        f"({f['blocking_recall']:.1%} were among those scored)"
    )
    by_noise: dict[str, list[bool]] = {}
    for t in timed:
        by_noise.setdefault(t.noise, []).append(t.hit)
    for noise, hits in sorted(by_noise.items(), key=lambda item: -len(item[1])):
        print(f"    {noise:<40} {sum(hits) / len(hits):6.1%} of {len(hits)}")
    print(
        f"\nphysical limit: rapidfuzz ratio {f['raw_comparisons_per_second'] / 1e6:,.1f}M "
        f"comparisons/s on one core, so scoring all {members:,} members would take "
        f"{f['brute_force_ms_per_query']:,.1f} ms a query: p95 is "
        f"{f['brute_force_over_p95']:,.0f}x faster than that. Scoring runs at "
        f"{f['scored_per_second_of_scoring'] / 1e3:,.0f}k members/s "
        f"({f['scored_per_second_of_scoring'] / f['raw_comparisons_per_second']:.2%} of the raw "
        "rate: three scorers, and Python, per member)"
    )


if __name__ == "__main__":
    main()
