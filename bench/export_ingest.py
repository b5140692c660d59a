"""Time from a Recruiter's 1-click export to the opportunity in the ATS, and exports per second.

    uv run python bench/export_ingest.py [--exports 200] [--pace-ms 0]

Runs `hirebridge demo` (web, one worker, sandbox; SQLite) in a scratch directory on free ports,
fires exports through the sandbox's Recruiter action (members spread over the seats, as many
recruiters exporting at once), and watches the ATS database for each member's connection.
Prints p50/p95/p99 time-to-opportunity and ingested exports per second. Nothing is pass/fail.
"""

import argparse
import json
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_demo(data_dir: Path, process: subprocess.Popen, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the demo exited early")
        demo = data_dir / "demo.json"
        if demo.exists():
            info = json.loads(demo.read_text())
            try:
                if httpx.get(info["sandbox_url"] + "_sandbox/tenant", timeout=2).is_success and (
                    connected(data_dir)
                ):
                    return info
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise SystemExit("the demo did not come up")


def connected(data_dir: Path) -> bool:
    try:
        with sqlite3.connect(data_dir / "hirebridge.sqlite3", timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM linkedin_integration").fetchone()[0] > 0
    except sqlite3.OperationalError:
        return False


def arrived(db: sqlite3.Connection, persons: list[str]) -> set[str]:
    marks = ",".join("?" * len(persons))
    rows = db.execute(
        f"SELECT person_urn FROM linkedin_profileconnection WHERE person_urn IN ({marks})",  # noqa: S608
        persons,
    )
    return {row[0] for row in rows}


def watch(
    data_dir: Path,
    sent: dict[str, float],
    latencies: dict[str, float],
    expected: int,
    done: threading.Event,
) -> None:
    """Note when each exported member's connection appears in the ATS, while exports go on."""
    db = sqlite3.connect(data_dir / "hirebridge.sqlite3", timeout=30)
    while len(latencies) < expected and not done.is_set():
        waiting = [p for p in list(sent) if p not in latencies]
        if waiting:
            now = time.perf_counter()
            for person in arrived(db, waiting):
                latencies[person] = now - sent[person]
        time.sleep(0.01)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exports", type=int, default=200)
    parser.add_argument("--pace-ms", type=int, default=0, help="pause between two exports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "demo"
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hirebridge",
                "demo",
                "--data-dir",
                str(data_dir),
                "--port",
                str(free_port()),
                "--sandbox-port",
                str(free_port()),
                "--poll-seconds",
                "10",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            info = wait_for_demo(data_dir, demo)
            sandbox = info["sandbox_url"] + "_sandbox/"
            seats = httpx.get(sandbox + "tenant").json()["seats"]
            members = httpx.get(sandbox + "members", params={"start": 10, "count": args.exports})
            elements = members.json()["elements"]
            sent: dict[str, float] = {}
            latencies: dict[str, float] = {}
            done = threading.Event()
            watcher = threading.Thread(
                target=watch, args=(data_dir, sent, latencies, args.exports, done)
            )
            watcher.start()
            with httpx.Client(timeout=10) as client:
                for index, member in enumerate(elements):
                    seat = seats[index % len(seats)]
                    sent_at = time.perf_counter()
                    client.post(
                        sandbox + "actions/export",
                        json={"seat_id": seat["id"], "member_id": member["id"]},
                    ).raise_for_status()
                    sent[member["person"]] = sent_at
                    time.sleep(args.pace_ms / 1000)
            watcher.join(timeout=300)
            done.set()
        finally:
            demo.terminate()
            demo.wait(timeout=60)
    if not latencies:
        raise SystemExit("no export arrived in the ATS")
    ordered = sorted(latencies.values())

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    first, last = min(sent.values()), max(sent[p] + latencies[p] for p in latencies)
    print(
        f"1-click exports: {len(latencies)} of {len(sent)} reached the ATS; time to opportunity "
        f"p50 {pct(0.50):,.0f} ms, p95 {pct(0.95):,.0f} ms, p99 {pct(0.99):,.0f} ms, "
        f"max {ordered[-1] * 1000:,.0f} ms (median {statistics.median(ordered) * 1000:,.0f} ms)"
    )
    print(
        f"ingested {len(latencies) / (last - first):,.1f} exports/s with one worker "
        f"(2 threads), SQLite, pace {args.pace_ms} ms"
    )


if __name__ == "__main__":
    main()
