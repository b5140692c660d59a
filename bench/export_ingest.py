"""Time from a Recruiter's 1-click export to the opportunity in the ATS, and exports per second.

    uv run python bench/export_ingest.py [--exports 200] [--pace-ms 0] [--workers 1]
        [--database-url postgres://…/SCRATCH --huey-url redis://…/DB] [--faults 10]
        [--compare-workers] [--json PATH]

Starts the sandbox, the ATS web process (`hirebridge serve`) and --workers `hirebridge worker`
processes in a scratch directory on free ports, wired as the demo wires them: SQLite and
SqliteHuey by default, or the PostgreSQL database and Redis queue given (the bench EMPTIES both
first: give it a scratch database and a Redis database of its own). Fires the exports through the
sandbox's Recruiter action from four threads (members spread over the seats, as many recruiters
exporting at once) and watches the ATS database for each member's connection, which commits with
its candidate and opportunity.

Prints p50/p95/p99 push → opportunity visible and exports ingested per second, beside the
physical limit measured in the same run: the same web server's hello-world rate (`wrk` on
/healthz). With --faults P the sandbox answers P% of LinkedIn API calls with a 503.
--compare-workers runs the same burst with 1 and then 2 workers (PostgreSQL + Redis by default)
and prints the scaling ratio. Nothing is pass/fail.

Goals (shared/reliability-perf.md §3.4): p99 ≤ 2 s without faults, ≤ 30 s with 10% faults
(G1); exports/s ≥ 20% of hello-world (G3); two workers ≥ 1.7 times one.
"""

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import redis
from benchlib import free_port, git_sha, hirebridge
from psycopg import sql

SENDER_THREADS = 4
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hirebridge_bench_export"
DEFAULT_HUEY_URL = "redis://127.0.0.1:6379/5"
PROCESSED = re.compile(r"push EXPORT_CANDIDATE_PROFILE \S+ processed")
GOAL_P99_S = 2.0
GOAL_P99_FAULTS_S = 30.0
GOAL_SHARE_OF_HELLO = 0.20
GOAL_SCALING = 1.7


@dataclass
class Cluster:
    """The sandbox, the ATS web process and its workers, as running processes."""

    env: dict[str, str]
    ats: str
    sandbox: str
    database_url: str | None
    data_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    worker_logs: list[Path] = field(default_factory=list)

    def connect(self) -> Any:
        """A DB-API connection to the ATS database, read by the watcher."""
        if self.database_url:
            return psycopg.connect(self.database_url, autocommit=True)
        return sqlite3.connect(self.data_dir / "hirebridge.sqlite3", timeout=30)

    def processed_per_worker(self) -> list[int]:
        return [len(PROCESSED.findall(log.read_text(errors="replace"))) for log in self.worker_logs]


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not happen within {seconds} s")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).is_success
    except httpx.TransportError:
        return False


def empty_stores(database_url: str | None, huey_url: str | None) -> None:
    """The bench's PostgreSQL database and Redis queue start empty, so runs compare."""
    if database_url:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    if huey_url:
        queue = redis.Redis.from_url(huey_url)
        queue.flushdb()
        queue.close()


def ensure_database(database_url: str) -> None:
    """Create the scratch database when the server does not have it yet."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    server = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def cluster(
    root: Path, *, workers: int, members: int, database_url: str | None, huey_url: str | None
) -> Iterator[Cluster]:
    if database_url:
        ensure_database(database_url)
    empty_stores(database_url, huey_url)
    sandbox_url = f"http://127.0.0.1:{free_port()}"
    ats_port = free_port()
    ats_url = f"http://127.0.0.1:{ats_port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "HUEY_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATA_DIR": str(root / "data"),
        "DEBUG": "false",
        "LINKEDIN_API_BASE": sandbox_url,
        "LINKEDIN_OAUTH_BASE": sandbox_url,
        "HIREBRIDGE_PUBLIC_URL": ats_url,
        "HUEY_NAME": f"bench-export-{os.getpid()}",
        "LOG_LEVEL": "INFO",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if huey_url:
        env["HUEY_URL"] = huey_url
        env["API_CACHE_REDIS_DB"] = urlsplit(huey_url).path.strip("/") or "0"
    found = Cluster(env, ats_url, sandbox_url, database_url, root / "data")
    try:
        found.processes.append(
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "sandbox", "--port", sandbox_url.rsplit(":", 1)[1]),
                    *("--data-dir", str(root / "sandbox"), "--members", str(members)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        hirebridge(env, "migrate", "--no-input")
        hirebridge(env, "seed_demo", "--candidates", "0")
        found.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "hirebridge", "serve", "--bind", f"127.0.0.1:{ats_port}"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_until(lambda: answers(f"{ats_url}/healthz"), 60, "the web process answering")
        wait_until(lambda: answers(f"{sandbox_url}/_sandbox/tenant"), 120, "the sandbox answering")
        hirebridge(env, "connect_sandbox", "--sandbox-url", sandbox_url, "--no-backfill")
        httpx.put(
            f"{sandbox_url}/_sandbox/settings", json={"exports_per_seat_per_month": 1_000_000}
        ).raise_for_status()
        for index in range(workers):
            log = root / f"worker-{index}.log"
            with log.open("w") as out:
                found.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "hirebridge", "worker"],
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            found.worker_logs.append(log)
        wait_until(
            lambda: all("consumer started" in log.read_text() for log in found.worker_logs),
            60,
            "the workers starting",
        )
        yield found
    finally:
        for process in found.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in found.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def arrived(conn: Any, persons: list[str], postgres: bool) -> set[str]:
    marks = ",".join(("%s" if postgres else "?") for _ in persons)
    rows = conn.execute(
        f"SELECT person_urn FROM linkedin_profileconnection WHERE person_urn IN ({marks})",  # noqa: S608
        persons,
    )
    return {row[0] for row in rows.fetchall()}


def watch(
    lab: Cluster,
    sent: dict[str, float],
    seen: dict[str, float],
    expected: int,
    stop: threading.Event,
) -> None:
    """Note when each exported member's connection appears in the ATS, while exports go on."""
    conn = lab.connect()
    try:
        while len(seen) < expected and not stop.is_set():
            waiting = [p for p in list(sent) if p not in seen]
            if waiting:
                now = time.perf_counter()
                for person in arrived(conn, waiting, lab.database_url is not None):
                    seen[person] = now
            time.sleep(0.01)
    finally:
        conn.close()


def set_faults(sandbox: str, percent: float) -> None:
    """P% of LinkedIn API calls (token, reads, writes) answered 503, seeded so runs replay."""
    rule = {"method": "*", "path": "^/(v2|rest|oauth)/", "rate": percent / 100, "status": 503}
    httpx.put(f"{sandbox}/_sandbox/faults", json={"seed": 7, "http": [rule]}).raise_for_status()


def burst(lab: Cluster, exports: int, offset: int, pace_ms: int, timeout: float) -> dict:
    """Fire the exports, wait for them to land; the run's latency and throughput figures."""
    sandbox = f"{lab.sandbox}/_sandbox/"
    seats = httpx.get(sandbox + "tenant").json()["seats"]
    members = httpx.get(sandbox + "members", params={"start": offset, "count": exports}).json()
    elements = members["elements"]
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(lab, sent, seen, len(elements), stop))
    watcher.start()

    def fire(share: list[tuple[int, dict]]) -> None:
        with httpx.Client(timeout=30) as client:
            for index, member in share:
                seat = seats[index % len(seats)]
                sent_at = time.perf_counter()
                client.post(
                    sandbox + "actions/export",
                    json={"seat_id": seat["id"], "member_id": member["id"]},
                ).raise_for_status()
                sent[member["person"]] = sent_at
                time.sleep(pace_ms / 1000)

    numbered = list(enumerate(elements))
    first = time.perf_counter()
    with ThreadPoolExecutor(SENDER_THREADS) as pool:
        for done in [pool.submit(fire, numbered[i::SENDER_THREADS]) for i in range(SENDER_THREADS)]:
            done.result()
    last_sent = time.perf_counter()
    watcher.join(timeout=timeout)
    stop.set()
    watcher.join()
    if not seen:
        raise SystemExit("no export reached the ATS")
    latencies = sorted(seen[p] - sent[p] for p in seen)
    last = max(seen.values())

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    return {
        "exports": len(sent),
        "arrived": len(seen),
        "sent_per_s": len(sent) / (last_sent - first),
        "exports_per_s": len(seen) / (last - first),
        "p50_s": pct(0.50),
        "p95_s": pct(0.95),
        "p99_s": pct(0.99),
        "max_s": latencies[-1],
    }


def hello_world_rps(url: str, seconds: int) -> float:
    """The web server's own ceiling: `wrk -t2 -c64` on /healthz (no database, same middleware)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed to measure the hello-world rate")
    done = subprocess.run(
        [wrk, "-t2", "-c64", f"-d{seconds}s", url + "/healthz"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if found is None:
        raise SystemExit(f"wrk said:\n{done.stdout}{done.stderr}")
    return float(found.group(1))


def run(args: argparse.Namespace, workers: int, database_url: str | None, huey_url: str | None):
    with (
        tempfile.TemporaryDirectory(prefix="bench-export-") as tmp,
        cluster(
            Path(tmp),
            workers=workers,
            members=args.exports + 20,
            database_url=database_url,
            huey_url=huey_url,
        ) as lab,
    ):
        # One export first: the callback is verified and every process has warmed up.
        burst(lab, 1, offset=0, pace_ms=0, timeout=60)
        if args.faults:
            set_faults(lab.sandbox, args.faults)
        figures = burst(lab, args.exports, 1, args.pace_ms, timeout=args.timeout)
        if args.faults:
            httpx.delete(f"{lab.sandbox}/_sandbox/faults").raise_for_status()
        figures["processed_per_worker"] = lab.processed_per_worker()
        figures["hello_world_rps"] = hello_world_rps(lab.ats, args.wrk_seconds)
    figures["share_of_hello_world"] = figures["exports_per_s"] / figures["hello_world_rps"]
    figures["workers"] = workers
    return figures


def describe(figures: dict, faults: float) -> list[str]:
    goal = GOAL_P99_FAULTS_S if faults else GOAL_P99_S
    return [
        f"{figures['arrived']} of {figures['exports']} exports reached the ATS "
        f"(sent at {figures['sent_per_s']:,.1f}/s; per worker {figures['processed_per_worker']})",
        f"push → opportunity visible: p50 {figures['p50_s'] * 1000:,.0f} ms, "
        f"p95 {figures['p95_s'] * 1000:,.0f} ms, p99 {figures['p99_s'] * 1000:,.0f} ms, "
        f"max {figures['max_s'] * 1000:,.0f} ms (goal p99 ≤ {goal:g} s"
        + (f" with {faults:g}% faults)" if faults else ")"),
        f"ingested {figures['exports_per_s']:,.1f} exports/s; hello-world (wrk /healthz) "
        f"{figures['hello_world_rps']:,.0f} rps; ratio {figures['share_of_hello_world']:.1%} "
        f"(goal ≥ {GOAL_SHARE_OF_HELLO:.0%})",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exports", type=int, default=200)
    parser.add_argument("--pace-ms", type=int, default=0, help="pause between two exports")
    parser.add_argument("--workers", type=int, default=1, help="`hirebridge worker` processes")
    parser.add_argument(
        "--database-url", help="a scratch PostgreSQL database (emptied); default SQLite"
    )
    parser.add_argument("--huey-url", help="a Redis database for the queue (emptied)")
    parser.add_argument(
        "--compare-workers",
        action="store_true",
        help=f"1 then 2 workers (default {DEFAULT_DATABASE_URL} and {DEFAULT_HUEY_URL})",
    )
    parser.add_argument("--faults", type=float, default=0, help="percent of API calls → 503")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for a burst")
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.exports < 1 or args.workers < 1 or not 0 <= args.faults <= 100:
        parser.error("--exports and --workers must be at least 1, --faults within 0..100")
    started_load = os.getloadavg()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    mode = "SQLite + SqliteHuey"
    if args.compare_workers:
        database_url = args.database_url or DEFAULT_DATABASE_URL
        huey_url = args.huey_url or DEFAULT_HUEY_URL
        mode = "PostgreSQL + Redis"
        runs = [run(args, n, database_url, huey_url) for n in (1, 2)]
        figures: dict[str, Any] = {f"workers_{r['workers']}": r for r in runs}
        figures["scaling"] = runs[1]["exports_per_s"] / runs[0]["exports_per_s"]
    else:
        database_url, huey_url = args.database_url, args.huey_url
        if database_url or huey_url:
            mode = " + ".join(
                ["PostgreSQL" if database_url else "SQLite", "Redis" if huey_url else "SqliteHuey"]
            )
        runs = [run(args, args.workers, database_url, huey_url)]
        figures = runs[0]
    ended_load = os.getloadavg()
    print(
        f"1-click export bench, {args.exports} exports, pace {args.pace_ms} ms, {mode}, "
        f"{args.faults:g}% faults, {date}, git {git_sha()}, load {started_load[0]:.1f} → "
        f"{ended_load[0]:.1f}"
    )
    for figures_of_run in runs:
        threads = os.environ.get("HUEY_WORKERS", "2 (the default)")
        print(f"\n{figures_of_run['workers']} worker(s), {threads} threads each:")
        for line in describe(figures_of_run, args.faults):
            print("  " + line)
    if args.compare_workers:
        print(
            f"\nscaling: 2 workers ingest {figures['scaling']:.2f}x what 1 does "
            f"(goal ≥ {GOAL_SCALING}x)"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "export_ingest",
                    "date": date,
                    "git": git_sha(),
                    "load_avg": {"start": list(started_load), "end": list(ended_load)},
                    "params": {
                        "exports": args.exports,
                        "pace_ms": args.pace_ms,
                        "workers": [1, 2] if args.compare_workers else [args.workers],
                        "mode": mode,
                        "faults_percent": args.faults,
                    },
                    "figures": figures,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
