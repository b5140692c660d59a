"""One poll of LinkedIn's interaction streams: 100 seats, 10,000 new events.

    uv run python bench/poll_cycle.py [--seats 100] [--events 10000]
        [--database-url postgres://…/SCRATCH] [--json PATH]

Starts the sandbox and wires a fresh ATS to it (SQLite by default, or the PostgreSQL database
given, which the bench EMPTIES first). The sandbox starts with 5 seats and has no control that
adds seats, so the bench adds the others to its database the way it seeds its own (seat rows on
the two contracts, held by members). The events are made through the sandbox's Recruiter actions,
a quarter each: InMails sent by the seats, members answering "yes, share my details" (an answer
event and a stub profile), and prospect notes.

Then, in this process, the ATS's own code: the streams' raw reads (every window fetched from the
sandbox and parsed, nothing stored) as the physical limit, and one poll (`poll_due_streams`:
fetch, import and commit every stream's window) timed against it. Prints the poll's seconds,
events/s, calls made (LinkedIn's floor is 2 + seats per poll, plus pages) and the ratio of the
poll's rate to the raw read rate. Nothing is pass/fail.
"""

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from benchlib import free_port, git_sha, hirebridge

ORGANIZATION_CONTRACTS = (70001001, 70001002)
SEEDED_SEATS = 5
FIRST_SEAT = 5_000_001
FIRST_MEMBER = 100  # the sandbox's generated members start here
DRIVER_THREADS = 4
SAFETY_LAG_S = 31  # the ATS reads nothing younger than 30 s


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def empty_database(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def add_seats(sandbox_db: Path, seats: int, holders_from: int) -> list[int]:
    """Seats beyond the 5 seeded ones, alternating over the two contracts; all seat ids."""
    now = int(time.time() * 1000)
    with sqlite3.connect(sandbox_db, timeout=30) as conn:
        for index in range(SEEDED_SEATS, seats):
            member_id = holders_from + index
            first, last = conn.execute(
                "SELECT first_name, last_name FROM members WHERE id = ?", (member_id,)
            ).fetchone()
            email = f"{first}.{last}.{member_id}@acme-robotics.example".lower()
            conn.execute(
                "INSERT INTO seats(id, contract_id, member_id, first_name, last_name, email, "
                "state, admin, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', 0, ?)",
                (
                    FIRST_SEAT + index,
                    ORGANIZATION_CONTRACTS[index % 2],
                    member_id,
                    first,
                    last,
                    email,
                    now,
                ),
            )
    return [FIRST_SEAT + index for index in range(seats)]


def make_events(sandbox: str, seats: list[int], members: list[int]) -> Counter[str]:
    """Per member: an InMail from a seat, the member's sharing answer (which also makes a stub
    profile) and a prospect note by the same seat: four events, made from several threads."""
    actions = f"{sandbox}/_sandbox/actions/"
    made: Counter[str] = Counter()

    def drive(share: list[tuple[int, int]]) -> Counter[str]:
        done: Counter[str] = Counter()
        with httpx.Client(timeout=30) as client:
            for seat, member in share:
                sent = client.post(
                    actions + "inmail",
                    json={
                        "seat_id": seat,
                        "member_id": member,
                        "subject": "A role you may like",
                        "body": "We are hiring robotics engineers; interested?",
                    },
                )
                sent.raise_for_status()
                client.post(
                    actions + "inmail-response",
                    json={
                        "member_id": member,
                        "conversation_id": sent.json()["conversation_id"],
                        "answer": "yes_share",
                    },
                ).raise_for_status()
                client.post(
                    actions + "note",
                    json={"seat_id": seat, "member_id": member, "body": "Strong C++ background"},
                ).raise_for_status()
                done.update(inmails=1, answers=1, stubs=1, notes=1)
        return done

    pairs = [(seats[i % len(seats)], member) for i, member in enumerate(members)]
    with ThreadPoolExecutor(DRIVER_THREADS) as pool:
        for done in pool.map(drive, [pairs[i::DRIVER_THREADS] for i in range(DRIVER_THREADS)]):
            made.update(done)
    return made


def setup_django(env: dict[str, str]) -> None:
    for name in ("DATABASE_URL", "HUEY_URL"):
        os.environ.pop(name, None)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hirebridge.settings"
    import django

    django.setup()


def raw_reads() -> tuple[int, float]:
    """Every stream's window read from the sandbox and parsed, nothing stored: (items, s)."""
    from django.utils import timezone

    from hirebridge.linkedin import enablement, inbound
    from hirebridge.linkedin.inbound import streams

    integration = enablement.current()
    if integration is None:
        raise SystemExit("the ATS has no LinkedIn integration")
    client = inbound.client(integration)
    start = int(integration.created_at.timestamp() * 1000) - streams.OVERLAP_MS
    end = int(timezone.now().timestamp() * 1000) - streams.SAFETY_LAG_MS
    started = time.perf_counter()
    items = sum(
        len(stream.fetch(client, start_ms=start, end_ms=end))
        for stream in streams.streams_of(integration)
    )
    return items, time.perf_counter() - started


def one_poll() -> tuple[int, float, Counter[str], Counter[str]]:
    """One poll as the worker runs it: (streams polled, s, what the windows stored, seconds
    spent per kind of stream)."""
    from hirebridge.linkedin.inbound import streams
    from hirebridge.linkedin.models import SyncRun

    started = time.perf_counter()
    polled = streams.poll_due_streams()
    seconds = time.perf_counter() - started
    counts: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    for run in SyncRun.objects.select_related("cursor"):
        counts.update(run.counts)
        if run.error:
            counts["window errors"] += 1
        if run.finished_at:
            kind = run.cursor.stream.split(":", 1)[0]
            spent[kind] += (run.finished_at - run.started_at).total_seconds()
    return polled, seconds, counts, spent


def ledger_last(sandbox: str) -> int:
    rows = httpx.get(f"{sandbox}/_sandbox/ledger", params={"limit": 10_000}).json()["elements"]
    since = rows[-1]["id"] if rows else 0
    while rows:
        rows = httpx.get(
            f"{sandbox}/_sandbox/ledger", params={"since_id": since, "limit": 10_000}
        ).json()["elements"]
        since = rows[-1]["id"] if rows else since
    return since


def calls_since(sandbox: str, since: int) -> Counter[str]:
    calls: Counter[str] = Counter()
    while True:
        rows = httpx.get(
            f"{sandbox}/_sandbox/ledger", params={"since_id": since, "limit": 10_000}
        ).json()["elements"]
        if not rows:
            return calls
        for row in rows:
            calls[row["path"].split("?")[0].rstrip("/").rsplit("/", 1)[-1]] += 1
        since = rows[-1]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--events", type=int, default=10_000, help="a multiple of 4")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (emptied)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.seats < SEEDED_SEATS or args.events < 4:
        parser.error(f"--seats must be at least {SEEDED_SEATS}, --events at least 4")
    members = args.events // 4
    started_load = os.getloadavg()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp:
        root = Path(tmp)
        sandbox_url = f"http://127.0.0.1:{free_port()}"
        env = {
            "DATA_DIR": str(root / "data"),
            "LINKEDIN_API_BASE": sandbox_url,
            "LINKEDIN_OAUTH_BASE": sandbox_url,
            "LOG_LEVEL": "WARNING",
        }
        if args.database_url:
            empty_database(args.database_url)
            env["DATABASE_URL"] = args.database_url
        process_env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "HUEY_URL", "DJANGO_SETTINGS_MODULE"}
        } | env
        sandbox = subprocess.Popen(
            [
                *(sys.executable, "-m", "sandbox", "--port", sandbox_url.rsplit(":", 1)[1]),
                *("--data-dir", str(root / "sandbox"), "--members", str(members + args.seats)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{sandbox_url}/_sandbox/tenant")
            seats = add_seats(
                root / "sandbox" / "sandbox.sqlite3", args.seats, FIRST_MEMBER + members
            )
            httpx.put(
                f"{sandbox_url}/_sandbox/settings",
                json={"inmail_quota_per_seat": members + 1, "inmail_stub_profiles": True},
            ).raise_for_status()
            hirebridge(process_env, "migrate", "--no-input")
            hirebridge(process_env, "seed_demo", "--candidates", "0")
            hirebridge(
                process_env,
                *("connect_sandbox", "--sandbox-url", sandbox_url),
                *("--public-url", "http://127.0.0.1:9", "--no-backfill"),
            )
            making = time.perf_counter()
            made = make_events(
                sandbox_url, seats, list(range(FIRST_MEMBER, FIRST_MEMBER + members))
            )
            making = time.perf_counter() - making
            events = made["inmails"] + made["answers"] + made["stubs"] + made["notes"]
            time.sleep(SAFETY_LAG_S)
            setup_django(env)
            read, read_seconds = raw_reads()
            since = ledger_last(sandbox_url)
            polled, poll_seconds, stored, spent = one_poll()
            calls = calls_since(sandbox_url, since)
        finally:
            sandbox.send_signal(signal.SIGTERM)
            sandbox.wait(30)
    ended_load = os.getloadavg()
    figures: dict[str, Any] = {
        "seats": args.seats,
        "events": events,
        "events_made_per_s": events / making,
        "streams_polled": polled,
        "poll_seconds": poll_seconds,
        "events_per_s": events / poll_seconds,
        "calls": sum(calls.values()),
        "calls_by_resource": dict(calls),
        "calls_floor": 2 + args.seats,
        "stored": dict(stored),
        "seconds_by_stream": {kind: round(s, 2) for kind, s in spent.items()},
        "raw_read_items": read,
        "raw_read_seconds": read_seconds,
        "raw_read_per_s": read / read_seconds,
    }
    figures["ratio_to_raw_read"] = figures["events_per_s"] / figures["raw_read_per_s"]
    mode = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"poll cycle, {args.seats} seats, {events:,} new events ({dict(made)}), {mode}, {date}, "
        f"git {git_sha()}, load {started_load[0]:.1f} → {ended_load[0]:.1f}"
    )
    print(
        f"  one poll: {polled} streams in {poll_seconds:,.2f} s = {figures['events_per_s']:,.0f} "
        f"events/s; {figures['calls']} calls (floor 2 + seats = {figures['calls_floor']}): "
        f"{', '.join(f'{name} {n}' for name, n in calls.most_common())}"
    )
    print(f"  stored by the windows: {dict(stored)}")
    print(
        "  seconds by stream: "
        + ", ".join(f"{kind} {seconds:,.1f} s" for kind, seconds in spent.most_common())
    )
    print(
        f"  raw reads (fetch + parse, nothing stored): {read:,} items in {read_seconds:,.2f} s = "
        f"{figures['raw_read_per_s']:,.0f}/s; the poll runs at {figures['ratio_to_raw_read']:.1%} "
        "of it"
    )
    print(f"  (events made through the sandbox's actions at {figures['events_made_per_s']:,.0f}/s)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "poll_cycle",
                    "date": date,
                    "git": git_sha(),
                    "load_avg": {"start": list(started_load), "end": list(ended_load)},
                    "params": {"seats": args.seats, "events": args.events, "mode": mode},
                    "figures": figures,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
