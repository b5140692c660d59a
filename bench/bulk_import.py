"""Bulk candidate import (`seed_demo`'s loader) against raw executemany in the same database.

    uv run python bench/bulk_import.py [--candidates 100000] [--vendors sqlite,postgresql]
                                       [--pg-server postgres://postgres@127.0.0.1:5432]
                                       [--json PATH]

For each database, fresh (SQLite in a temporary DATA_DIR with the project's settings: WAL,
synchronous=FULL; PostgreSQL in a scratch database created and dropped on --pg-server), in one
process of its own:

1. the physical limit: one `executemany` of N candidate-like rows (seven text columns, a unique
   URN) into a plain table, in one transaction: rows/s;
2. the loader: `hirebridge.demo_bulk.seed` of N candidates, each with email, phone, labels, an
   opportunity, its stage history and timeline, some notes and messages and the people entered
   twice (COPY on PostgreSQL, executemany on SQLite, a transaction per batch, every index and
   constraint in place): candidates/s and rows/s of the loading phase, then ANALYZE. The search
   index is not built (`seed_demo` builds it after loading; bench its rebuild on its own).

Prints both and their ratio (goal G5: candidates/s ≥ 25% of the raw rows/s). Nothing is
pass/fail.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import git_sha

GOAL = 0.25
PG_DATABASE = "seed_bulk_import_bench"
RAW_TABLE = "bench_raw_candidates"


# In the measuring process: Django set up on the fresh database.


def measure(candidates: int) -> dict[str, Any]:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "hirebridge.settings"
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    raw = raw_executemany(candidates)
    loaded = loader(candidates)
    return {"vendor": connection.vendor, **raw, **loaded, "db_bytes": database_bytes()}


def raw_executemany(rows: int) -> dict[str, float]:
    """Rows/s of one executemany into a plain table, committed: the database's own floor."""
    from django.db import connection, transaction

    values = [
        (
            f"urn:li:person:{n}",
            f"Person {n}",
            f"Engineer at Company {n % 997}",
            f"City {n % 211}",
            f"Company {n % 997}",
            "Software Engineer",
            f"person{n}@example.com",
        )
        for n in range(rows)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {RAW_TABLE} (urn text NOT NULL UNIQUE, name text, headline text, "
            "location text, company text, title text, email text)"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {RAW_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
            values,
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    return {"raw_rows": rows, "raw_seconds": seconds, "raw_rows_per_s": rows / seconds}


def loader(candidates: int) -> dict[str, Any]:
    from hirebridge import demo_bulk
    from hirebridge.accounts.models import User
    from hirebridge.hiring.models import Candidate, Posting

    _, report = demo_bulk.seed(seed=42, candidates=candidates, search_index=False)
    seconds = report.seconds["candidates"]
    people = Candidate.objects.count()
    team = (User._meta.db_table, Posting._meta.db_table)
    rows = sum(n for table, n in report.rows.items() if table not in team)
    return {
        "candidates": people,
        "rows": rows,
        "rows_per_candidate": rows / people,
        "load_seconds": seconds,
        "candidates_per_s": people / seconds,
        "rows_per_s": rows / seconds,
        "phases_s": report.seconds,
        "rows_by_table": report.rows,
    }


def database_bytes() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    path = Path(settings.DATABASES["default"]["NAME"])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


# In the main process: one measuring process per fresh database.


def run(vendor: str, candidates: int, pg_server: str) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="bulk-import-"))
    env = {**os.environ, "DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if vendor == "postgresql":
        pg_database("create", pg_server)
        env["DATABASE_URL"] = f"{pg_server}/{PG_DATABASE}"
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", "--candidates", str(candidates)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{vendor}: the measuring process failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if vendor == "postgresql":
            pg_database("drop", pg_server)


def pg_database(action: str, server: str) -> None:
    from psycopg import connect, sql

    name = sql.Identifier(PG_DATABASE)
    with connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if action == "create":
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def describe(figures: dict[str, Any]) -> list[str]:
    ratio = figures["candidates_per_s"] / figures["raw_rows_per_s"]
    rows_ratio = figures["rows_per_s"] / figures["raw_rows_per_s"]
    return [
        f"raw executemany: {figures['raw_rows']:,} rows in {figures['raw_seconds']:.2f} s = "
        f"{figures['raw_rows_per_s']:,.0f} rows/s (the limit)",
        f"loader: {figures['candidates']:,} candidates, {figures['rows']:,} rows "
        f"({figures['rows_per_candidate']:.1f} a candidate) in {figures['load_seconds']:.1f} s = "
        f"{figures['candidates_per_s']:,.0f} candidates/s, {figures['rows_per_s']:,.0f} rows/s",
        f"ratio: candidates/s = {ratio:.1%} of raw rows/s (goal ≥ {GOAL:.0%}); "
        f"rows/s = {rows_ratio:.1%}",
        f"after the load: analyze {figures['phases_s']['analyze']:.1f} s, database "
        f"{figures['db_bytes'] / 2**20:,.0f} MiB",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--vendors", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument(
        "--pg-server",
        default="postgres://postgres@127.0.0.1:5432",
        help=f"a server where {PG_DATABASE} may be created and dropped",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.candidates < 1:
        parser.error("--candidates must be at least 1")
    if args.measure:
        print(json.dumps(measure(args.candidates)))
        return
    vendors = [v.strip() for v in args.vendors.split(",") if v.strip()]
    if not vendors or set(vendors) - {"sqlite", "postgresql"}:
        parser.error("--vendors: sqlite and/or postgresql")
    started_load = os.getloadavg()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    print(
        f"bulk import bench, {args.candidates:,} candidates, {date}, git {git_sha()}, "
        f"load {started_load[0]:.1f} at the start"
    )
    figures = {}
    for vendor in vendors:
        each = figures[vendor] = run(vendor, args.candidates, args.pg_server.rstrip("/"))
        each["ratio"] = each["candidates_per_s"] / each["raw_rows_per_s"]
        print(f"\n{vendor} (load {os.getloadavg()[0]:.1f} after):", flush=True)
        for line in describe(each):
            print("  " + line, flush=True)
    ended_load = os.getloadavg()
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "bulk_import",
                    "date": date,
                    "git": git_sha(),
                    "load_avg": {"start": list(started_load), "end": list(ended_load)},
                    "params": {"candidates": args.candidates, "vendors": vendors},
                    "figures": figures,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
