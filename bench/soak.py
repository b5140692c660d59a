"""The fault soak at full size: 1,000 exports, 2,000 InMails, 500 replies and 300 notes under
LinkedIn's faults, then exactly-once checked against the sandbox's own record.

    uv run python bench/soak.py [--exports 1000] [--inmails 2000] [--replies 500] [--notes 300]
        [--workers 1] [--database-url postgres://…/SCRATCH --huey-url redis://…/DB]
        [--timeout 1800] [--json bench/results/soak.json]

The same work, faults and checks as tests/reliability/test_fault_soak.py (its code is
tests/reliability/soak.py and harness.py): the sandbox, the ATS web process and --workers
workers as real processes in a scratch directory, SQLite + SqliteHuey by default or the
PostgreSQL database and Redis queue given (both EMPTIED first). Faults while the work is driven
and the ATS catches up: 10% of LinkedIn API calls 5xx, 10% 429 with Retry-After, 200 ms latency
on the rest, 20% of pushes duplicated, 20% reordered, 5% lost in transit once. Then faults off,
one full poll cycle, and the check: every candidate, opportunity, InMail, reply and note exactly
once, every stage right, LinkedIn holding every candidate linked and every application, the
outbox empty; then `hirebridge linkedin reconcile`, which should find nothing to repair.

Prints what was sent, ingested, duplicated and lost, and how long each phase took. The check
failing stops the bench with its reason; nothing else is pass/fail.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from benchlib import git_sha

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.reliability

from tests.reliability import harness, soak

RESULTS = Path(__file__).parent / "results" / "soak.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in asdict(soak.FULL).items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--workers", type=int, default=1, help="`hirebridge worker` processes")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (emptied)")
    parser.add_argument("--huey-url", help="a Redis database for the queue (emptied)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to settle")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default {RESULTS}")
    args = parser.parse_args()
    try:
        size = soak.Size(args.exports, args.inmails, args.replies, args.notes)
    except ValueError as bad:
        parser.error(str(bad))
    if args.workers < 1:
        parser.error("--workers: at least 1")
    mode = " + ".join(
        [
            "PostgreSQL" if args.database_url else "SQLite",
            "Redis" if args.huey_url else "SqliteHuey",
        ]
    )
    date = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = os.getloadavg()
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp,
        harness.running(
            Path(tmp),
            members=size.exports + 200,
            workers=args.workers,
            database_url=args.database_url,
            huey_url=args.huey_url,
            env=soak.ATS_ENV,
        ) as cluster,
    ):
        setup_s = time.monotonic() - started
        work = soak.drive(cluster, size)
        soak.settle(cluster, work, args.timeout)
        figures = soak.check(cluster, work)
        reconciled = cluster.hirebridge("linkedin", "reconcile").strip()
    load_end = os.getloadavg()
    seconds = {"setup": setup_s, **work.seconds, "total": time.monotonic() - started}
    print(
        f"fault soak, {mode}, {args.workers} worker(s), {date}, git {git_sha()}, "
        f"load {load_start[0]:.1f} → {load_end[0]:.1f}"
    )
    print(
        f"  sent:       {figures['exports_sent']} exports, {figures['inmails_sent']} InMails, "
        f"{figures['replies_sent']} replies, {figures['notes_sent']} notes"
    )
    print(
        f"  ingested:   {figures['candidates_ingested']} candidates, "
        f"{figures['opportunities_ingested']} opportunities, {figures['messages_ingested']} "
        f"messages, {figures['notes_ingested']} notes"
    )
    print(
        f"  pushes:     {figures['pushes_delivered']} delivered, {figures['duplicate_pushes']} "
        f"duplicates, {figures['pushes_lost_in_transit']} lost in transit once"
    )
    print(
        f"  in the ATS: {figures['duplicates_in_ats']} duplicates, {figures['lost']} lost, "
        f"{figures['extra_in_ats']} made up; stages, postings and LinkedIn's copy as expected"
    )
    print("  seconds:    " + ", ".join(f"{k} {v:,.1f}" for k, v in seconds.items()))
    print(f"  reconcile:  {reconciled}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "bench": "soak",
                "date": date,
                "git": git_sha(),
                "load_avg": {"start": list(load_start), "end": list(load_end)},
                "params": {**asdict(size), "workers": args.workers, "mode": mode},
                "faults": soak.fault_config(),
                "figures": figures,
                "seconds": seconds,
                "reconcile": reconciled,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
