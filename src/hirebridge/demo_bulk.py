"""Demo data at scale: `seed_demo --candidates 1000000` in minutes instead of hours.

The small demo writes each candidate through the pipeline services. Here the demo's users and
postings are made as there, then the people of hirebridge.demo_people go straight into the
tables (hiring.bulk: COPY on PostgreSQL, executemany on SQLite), one batch of candidates per
transaction, and the search index and planner statistics are refreshed once at the end. Nothing
is written to the outbox or for webhooks: a new database has no LinkedIn integration and no
subscriptions to tell.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from hirebridge import demo_data
from hirebridge.accounts.models import User
from hirebridge.demo_people import TABLES, DemoPeople, Pools
from hirebridge.hiring.bulk import TableWriter
from hirebridge.hiring.models import Posting
from hirebridge.search import index as search_documents

BATCH = 5_000  # candidates per transaction


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)  # by table
    seconds: dict[str, float] = field(default_factory=dict)  # by phase

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def seed(
    *,
    seed: int = 42,
    candidates: int,
    console: Console | None = None,
    search_index: bool = True,
) -> tuple[list[demo_data.Login], LoadReport]:
    """The demo's users and postings, then `candidates` people in bulk; `console` shows progress.
    Without `search_index` the search documents are left for a later rebuild."""
    if candidates < 0:
        raise ValueError("candidates must be 0 or more")
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    started = time.perf_counter()
    logins, users, postings = demo_data.create_team(rng)
    report = LoadReport(
        rows={User._meta.db_table: len(users), Posting._meta.db_table: len(postings)},
        seconds={"users and postings": time.perf_counter() - started},
    )
    with _progress(console) as progress:
        people = DemoPeople(rng, Pools.drawn(seed), users, postings)
        _load(people, candidates, report, progress)
        if search_index:
            _timed(report, progress, "search index", _rebuild_search_index)
        _timed(report, progress, "analyze", _analyze)
    return logins, report


def _load(people: "DemoPeople", candidates: int, report: LoadReport, progress: Progress) -> None:
    started = time.perf_counter()
    writers = {name: TableWriter(model, fields) for name, (model, fields) in TABLES.items()}
    task = progress.add_task("candidates", total=candidates)
    for start in range(0, candidates, BATCH):
        end = min(start + BATCH, candidates)
        rows = people.batch(start, end)
        with transaction.atomic():
            for name, writer in writers.items():
                writer.write(rows[name])
        progress.advance(task, end - start)
    for writer in writers.values():
        report.rows[writer.table] = writer.written
    report.seconds["candidates"] = time.perf_counter() - started


def _timed(report: LoadReport, progress: Progress, phase: str, work: Callable[[], object]) -> None:
    task = progress.add_task(phase, total=None)
    started = time.perf_counter()
    work()
    report.seconds[phase] = time.perf_counter() - started
    progress.update(task, total=1, completed=1)


def _rebuild_search_index() -> None:
    """The search index is built once over everything loaded (the services keep it up to date
    one candidate at a time, which the bulk path skips)."""
    search_documents.rebuild()


def _analyze() -> None:
    """Fresh planner statistics, so the first pages after loading use the indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")  # sampled: seconds, not minutes, at 1M
        cursor.execute("ANALYZE")


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=console is None,
    )
