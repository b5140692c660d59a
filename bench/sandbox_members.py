"""How long the sandbox takes to generate its members (the 1,000,000-member tenant).

    uv run python bench/sandbox_members.py [--members 1000000] [--seed 42]

Prints the time, the rate and the database size. Nothing here is pass/fail.
"""

import argparse
import tempfile
import time
from pathlib import Path

from sandbox.clock import Clock
from sandbox.db import Database
from sandbox.tenant import seed_if_new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "sandbox.sqlite3")
        db.create()
        started = time.perf_counter()
        seed_if_new(db, member_count=args.members, seed=args.seed, now_ms=Clock().now_ms())
        seconds = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    print(
        f"members generated: {args.members:,} in {seconds:.1f} s "
        f"({args.members / seconds:,.0f} members/s), database {size_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
