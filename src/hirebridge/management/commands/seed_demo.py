"""`hirebridge seed_demo`: fill a new database with demo users, postings and candidates."""

import json
from pathlib import Path
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from rich.console import Console
from rich.table import Table

from hirebridge import demo_bulk, demo_data

# Up to this many candidates go through the pipeline services one by one (a few hundred a
# second); more are loaded in bulk.
SERVICES_UP_TO = 1_000


class Command(BaseCommand):
    help = (
        "Create one user per role, a dozen postings and candidates across the pipeline. Up to "
        f"{SERVICES_UP_TO:,} candidates are added through the pipeline services, as recruiters "
        "would add them (timeline, outbox and webhook events included); more are bulk-loaded "
        "straight into the tables (COPY on PostgreSQL), the same shape of data in minutes for "
        "1,000,000, with a progress bar on stderr."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="same seed, same data")
        parser.add_argument(
            "--candidates",
            type=int,
            default=300,
            help=f"how many people (default 300; bulk-loaded above {SERVICES_UP_TO:,})",
        )
        parser.add_argument(
            "--credentials", type=Path, help="also write the logins and API keys to this JSON file"
        )

    def handle(self, *args, seed: int, candidates: int, credentials: Path | None, **options):
        if candidates < 0:
            raise CommandError("--candidates must be 0 or more")
        if pending := unapplied_migrations():
            raise CommandError(
                f"the database lacks {len(pending)} migration(s) ({', '.join(pending[:3])}…): "
                "run `hirebridge migrate` first"
            )
        out = Console(file=cast(IO[str], self.stdout), width=160)
        report = None
        try:
            if candidates > SERVICES_UP_TO:
                progress = Console(stderr=True)
                logins, report = demo_bulk.seed(seed=seed, candidates=candidates, console=progress)
            else:
                logins = demo_data.seed(seed=seed, candidates=candidates)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if credentials:
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.touch(mode=0o600)
            credentials.write_text(json.dumps(demo_data.logins_as_dicts(logins), indent=2))
        table = Table(title=f"Demo users (seed {seed}, {candidates} candidates)")
        for column in ("role", "email", "password", "API key"):
            table.add_column(column)
        for login in logins:
            table.add_row(login.role, login.email, login.password, login.api_key)
        out.print(table)
        if report:
            out.print(summary(report))


def unapplied_migrations() -> list[str]:
    """Checked before writing anything: a load that fails at its last step (say, a search
    table missing) would leave a database with users whose logins were never shown."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def summary(report: demo_bulk.LoadReport) -> Table:
    """Rows per table and seconds per phase of a bulk load."""
    table = Table(title=f"Bulk load: {report.total_seconds:,.1f} s")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}")
    table.add_row("all", f"{sum(report.rows.values()):,}", style="bold")
    for phase, seconds in report.seconds.items():
        table.add_row(f"[dim]{phase}[/dim]", f"{seconds:,.1f} s")
    return table
