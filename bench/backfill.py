"""Throughput of `hirebridge linkedin sync --backfill` against the sandbox, throttled or not.

    uv run python bench/backfill.py [--candidates 100000] [--reuse] [--throttled-minutes 3]
                                    [--full-throttled] [--per-minute 10000]
                                    [--runs both|unthrottled|throttled|none]
                                    [--batch-sizes 10,25,50,100] [--json PATH]

Builds an ATS database of N candidates, each with one opportunity on one of --postings postings
and one stage change, by bulk inserts (the hiring services would take hours for 100,000), wires
it to a fresh `rsc-sandbox` with `connect_sandbox --no-backfill`, and times the backfill as its
own process:

1. throttle off (the sandbox's and the ATS's limits lifted): records/s for candidates and
   applications against the raw batch-upsert ceiling of bench/sandbox_upsert.py, stage records/s,
   overall, the sync's peak RSS, and that the sandbox holds N of each;
2. throttle on (LinkedIn's 10,000 records a minute per resource, the ATS's default buckets), on a
   fresh sandbox and the same ATS rows: records accepted per minute per resource for
   --throttled-minutes a round (stage history, sent after every candidate and application, is
   measured by resuming the stopped sync with only its rows left) or the whole N with
   --full-throttled, the 429s the sandbox answered, and that every record the ATS marked as
   synced is in the sandbox;
3. with --batch-sizes, throttle off, for each size: the ATS's LINKEDIN_BATCH_SIZE set to it,
   candidates + applications records/s (the sync is stopped once the sandbox holds all N of
   both), and the sandbox's raw upsert ceiling at the same batch size on a fresh sandbox.

Every ceiling is measured in the same run (bench/sandbox_upsert.py's tunnelled batch_update).
Prints tables; nothing is pass/fail.
"""

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from benchlib import free_port, git_sha
from sandbox_upsert import tunnelled_put

LINKEDIN_PER_MINUTE = 10_000
UNLIMITED = 10**9
PUBLIC_URL = "http://127.0.0.1:8000"
RESOURCES = ("atsCandidates", "atsApplications", "atsApplicationStages")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BUILD_CHUNK = 5_000
MARKER = "bench.json"  # in DATA_DIR: the shape of the ATS built there
FIRST_NAMES = (
    "Alice",
    "Amara",
    "Bruno",
    "Carla",
    "Daniel",
    "Elena",
    "Farid",
    "Greta",
    "Hannah",
    "Igor",
)
LAST_NAMES = (
    "Andersen",
    "Baptiste",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jensen",
)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


# The ATS database, built in this process.


def setup_django(data_dir: Path, database_url: str | None) -> None:
    """Point this process's Django at the bench's database (the sync processes get the same)."""
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hirebridge.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # this process's own calls


def prepare_ats(args: argparse.Namespace, reusable: bool) -> None:
    """A database with the candidates asked for: the last one when `reusable`, else built."""
    from django.core.management import call_command

    from hirebridge.hiring.models import Candidate

    call_command("migrate", verbosity=0)
    if reusable:
        print(f"ATS: reusing {args.candidates:,} candidates in {args.data_dir}")
        return
    if Candidate.objects.exists():
        raise SystemExit(
            "--database-url: the database already holds candidates; name an empty one, or pass "
            "--reuse with the same --candidates and --postings as the run that built it"
        )
    started = time.perf_counter()
    build_ats(args.candidates, args.postings)
    (args.data_dir / MARKER).write_text(json.dumps(shape_of(args)))
    print(
        f"ATS: built {args.candidates:,} candidates, opportunities and stage changes on "
        f"{args.postings} postings in {time.perf_counter() - started:.1f} s ({load()})"
    )


def shape_of(args: argparse.Namespace) -> dict[str, object]:
    return {
        "candidates": args.candidates,
        "postings": args.postings,
        "database": args.database_url or "sqlite",
    }


def fresh_data_dir(data_dir: Path) -> None:
    """Empty the bench's own DATA_DIR (marked as such at once, so a failed build is replaced
    next time); a directory holding anything else is left alone."""
    if data_dir.exists():
        if any(data_dir.iterdir()) and not (data_dir / MARKER).exists():
            raise SystemExit(f"--data-dir: {data_dir} holds something this bench did not build")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("{}")


def build_ats(candidates: int, postings: int) -> None:
    """Rows straight into the tables: names "First Last" and valid emails, so every one maps."""
    from django.db import transaction

    from hirebridge.accounts.models import User
    from hirebridge.accounts.roles import Role
    from hirebridge.hiring.models import (
        Candidate,
        CandidateEmail,
        Opportunity,
        Posting,
        Stage,
        StageChange,
    )
    from hirebridge.hiring.models.candidates import Origin
    from hirebridge.hiring.models.postings import PostingState
    from hirebridge.hiring.models.stages import APPLICANT_NEW

    with transaction.atomic():
        owner = User.objects.create_user(
            "owner@bench.example.com", None, name="Bench Owner", role=Role.ADMIN
        )
        jobs = [
            Posting.objects.create(
                title=f"Engineer {n}",
                description=f"Engineering role {n}.",
                location="Berlin, Germany",
                state=PostingState.PUBLISHED,
                owner=owner,
            )
            for n in range(postings)
        ]
    stage = Stage.objects.get(pk=APPLICANT_NEW)
    for start in range(0, candidates, BUILD_CHUNK):
        numbers = range(start, min(start + BUILD_CHUNK, candidates))
        with transaction.atomic():
            people = Candidate.objects.bulk_create(
                [
                    Candidate(
                        name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]} "
                        f"{LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)]}",
                        current_company="Example Corp",
                        current_title="Engineer",
                        origin=Origin.APPLIED,
                    )
                    for n in numbers
                ]
            )
            CandidateEmail.objects.bulk_create(
                [
                    CandidateEmail(candidate=person, email=f"person{n}@example.com")
                    for n, person in zip(numbers, people, strict=True)
                ]
            )
            applied = Opportunity.objects.bulk_create(
                [
                    Opportunity(
                        candidate=person,
                        posting=jobs[n % len(jobs)],
                        stage=stage,
                        origin=Origin.APPLIED,
                    )
                    for n, person in zip(numbers, people, strict=True)
                ]
            )
            StageChange.objects.bulk_create(
                [StageChange(opportunity=o, to_stage=stage, to_stage_index=0) for o in applied]
            )


def forget_linkedin() -> None:
    """The ATS as before any LinkedIn sync: no integration, outbox or synced-record rows."""
    from django.db import connections

    from hirebridge.linkedin.models import Integration, OutboxItem, SyncedRecord

    OutboxItem.objects.all().delete()
    SyncedRecord.objects.all().delete()
    Integration.objects.all().delete()
    connections.close_all()  # the sync process writes next


def synced_ids(kind: str) -> set[str]:
    from hirebridge.linkedin.models import SyncedRecord

    return set(SyncedRecord.objects.filter(kind=kind).values_list("entity_id", flat=True))


def outbox_left() -> tuple[int, int]:
    """(pending, refused) outbox rows."""
    from hirebridge.linkedin.models import OutboxItem, OutboxStatus

    rows = Counter(OutboxItem.objects.values_list("status", flat=True))
    return rows[OutboxStatus.PENDING], rows[OutboxStatus.DEAD]


# The sandbox and the ATS's processes.


@dataclass
class Sandbox:
    """A running `rsc-sandbox` and what it holds."""

    url: str
    process: subprocess.Popen[bytes]
    client: httpx.Client

    def records(self, resource: str) -> list[dict[str, Any]]:
        """Every record the ATS synced to `resource`, paged."""
        elements: list[dict[str, Any]] = []
        while True:
            page = self.client.get(
                "/_sandbox/records",
                params={"resource": resource, "start": len(elements), "count": 10_000},
            )
            found = page.raise_for_status().json()["elements"]
            elements += found
            if len(found) < 10_000:
                return elements

    def total(self, resource: str) -> int:
        page = self.client.get("/_sandbox/records", params={"resource": resource, "count": 1})
        return int(page.raise_for_status().json()["paging"]["total"])

    def statuses(self) -> Counter[tuple[str, int]]:
        """(resource, HTTP status) of every /v2/ats… call the sandbox received."""
        counted: Counter[tuple[str, int]] = Counter()
        since = 0
        while True:
            page = self.client.get(
                "/_sandbox/ledger", params={"path": "/v2/ats", "since_id": since, "limit": 10_000}
            )
            rows = page.raise_for_status().json()["elements"]
            for row in rows:
                counted[(resource_of(row["path"]), row["status"])] += 1
            if len(rows) < 10_000:
                return counted
            since = rows[-1]["id"]

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def token(self) -> str:
        """A client-credentials token of the tenant's customer application."""
        app = self.client.get("/_sandbox/tenant").raise_for_status().json()["customer_app"]
        reply = self.client.post(
            "/oauth/v2/accessToken",
            data={
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        return str(reply.raise_for_status().json()["access_token"])

    def close(self) -> None:
        self.client.close()
        stop(self.process)


def resource_of(path: str) -> str:
    """The family a call counts in: `/v2/atsApplications/{key}/stages` → atsApplicationStages."""
    parts = path.split("/")
    if parts[2] == "atsApplications" and len(parts) > 4:
        return "atsApplication" + parts[4].capitalize()
    return parts[2]


def cpu_seconds(pid: int) -> float:
    """User + system time of a running process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_sandbox(root: Path, members: int, limits: dict[str, int]) -> Sandbox:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(root / "sandbox"),
            "--members",
            str(members),
            "--seed",
            "7",
        ],
        stdout=subprocess.DEVNULL,
    )
    client = httpx.Client(base_url=url, timeout=120)
    for _ in range(600):
        try:
            client.get("/_sandbox/tenant").raise_for_status()
            break
        except httpx.TransportError:
            if process.poll() is not None:
                raise SystemExit("the sandbox exited early") from None
            time.sleep(0.1)
    else:
        stop(process)
        raise SystemExit("the sandbox did not answer within 60 s")
    client.put("/_sandbox/settings", json=limits).raise_for_status()
    return Sandbox(url, process, client)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure_ceiling(root: Path, members: int, batch: int, records: int) -> float:
    """The sandbox's raw atsCandidates upsert rate (records/s) in tunnelled batch_update calls of
    `batch` records, on a fresh sandbox with its limits lifted: what a backfill could reach."""
    limits = {"records_per_minute": UNLIMITED, "write_calls_per_day": UNLIMITED}
    sandbox = start_sandbox(root / f"ceiling-{batch}", members, limits)
    try:
        token = sandbox.token()
        started = time.perf_counter()
        for first in range(0, records, batch):
            size = min(batch, records - first)
            reply = tunnelled_put(sandbox.client, token, first, size).raise_for_status().json()
            if reply["errors"] or len(reply["results"]) != size:
                raise SystemExit(f"ceiling: the batch at {first} was not fully written: {reply}")
        return records / (time.perf_counter() - started)
    finally:
        sandbox.close()


def ats_env(
    args: argparse.Namespace,
    sandbox: Sandbox,
    per_minute: int | None,
    batch_size: int | None = None,
) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": str(args.data_dir),
        "LINKEDIN_API_BASE": sandbox.url,
        "LINKEDIN_OAUTH_BASE": sandbox.url,
        "LINKEDIN_PLATFORM_BASE": sandbox.url,
        "HIREBRIDGE_PUBLIC_URL": PUBLIC_URL,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("LINKEDIN_RECORDS_PER_MINUTE", None)
    env.pop("LINKEDIN_BATCH_SIZE", None)
    if per_minute is not None:
        env["LINKEDIN_RECORDS_PER_MINUTE"] = str(per_minute)
    if batch_size is not None:
        env["LINKEDIN_BATCH_SIZE"] = str(batch_size)
    return env


def connect(env: dict[str, str]) -> None:
    wired = subprocess.run(
        [
            sys.executable,
            "-m",
            "hirebridge",
            "connect_sandbox",
            "--sandbox-url",
            env["LINKEDIN_API_BASE"],
            "--public-url",
            PUBLIC_URL,
            "--no-backfill",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if wired.returncode != 0:
        raise SystemExit(f"connect_sandbox failed:\n{wired.stdout}{wired.stderr}")


@dataclass
class SyncProcess:
    """`hirebridge linkedin sync [--backfill]`, watched for its peak RSS and reaped with wait4
    for its CPU time."""

    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.time)
    ended: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0

    @classmethod
    def start(cls, env: dict[str, str], log: Path, *options: str) -> "SyncProcess":
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "hirebridge", "linkedin", "sync", *options],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return cls(process, log)

    def reap(self) -> bool:
        """True once the process has exited. The peak RSS is its VmHWM, read while it runs:
        wait4's ru_maxrss would count this process's memory too, which the child had until exec."""
        if self.process.returncode is not None:
            return True
        status_file = Path(f"/proc/{self.process.pid}/status")
        with contextlib.suppress(OSError):
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_mb = max(self.peak_rss_mb, int(line.split()[1]) / 1024)
        pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.ended = time.time()
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        return True

    def wait(self, seconds: float = float("inf")) -> bool:
        """True if the process exited within `seconds`."""
        deadline = time.monotonic() + seconds
        while not self.reap():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def interrupt(self) -> None:
        """Ctrl-C, as an operator stops a sync; killed if it does not stop within 30 s."""
        self.process.send_signal(signal.SIGINT)
        if not self.wait(30):
            self.process.kill()
            self.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])


# Figures.


@dataclass
class Held:
    """What the sandbox holds of one resource: ids of the ATS entities and write times (ms)."""

    ids: list[str]
    times: list[int]

    @classmethod
    def read(cls, sandbox: Sandbox, resource: str) -> "Held":
        records = sandbox.records(resource)
        ids = [match.group(0) for r in records if (match := UUID.search(r["key"]))]
        return cls(ids, sorted(r["updatedAt"] for r in records))

    def span(self) -> float:
        return (self.times[-1] - self.times[0]) / 1000 if len(self.times) > 1 else 0.0

    def until(self, end_ms: int) -> list[int]:
        return [t for t in self.times if t <= end_ms]


def rate(records: int, seconds: float) -> float:
    return records / seconds if seconds > 0 else 0.0


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def calls_by_resource(statuses: Counter[tuple[str, int]]) -> str:
    calls: Counter[str] = Counter()
    for (resource, _), n in statuses.items():
        calls[resource] += n
    return ", ".join(f"{resource} {n:,}" for resource, n in calls.most_common())


def run_unthrottled(args: argparse.Namespace, root: Path) -> dict[str, float]:
    limits = {"records_per_minute": UNLIMITED, "write_calls_per_day": UNLIMITED}
    sandbox = start_sandbox(root / "off", args.members, limits)
    try:
        forget_linkedin()
        env = ats_env(args, sandbox, UNLIMITED)
        connect(env)
        print(f"run 1 (throttle off): sync started ({load()})")
        sync = SyncProcess.start(env, root / "sync-off.log", "--backfill")
        sync.wait()
        sandbox_cpu = sandbox.cpu_seconds()
        print(f"run 1: sync exited {sync.process.returncode} ({load()})")
        held = {resource: Held.read(sandbox, resource) for resource in RESOURCES}
        statuses = sandbox.statuses()
    finally:
        sandbox.close()
    if sync.process.returncode != 0:
        print(sync.tail())
    ceiling = measure_ceiling(root / "off", args.members, 100, args.ceiling_records)
    candidates, applications, stages = (held[r] for r in RESOURCES)
    batched = candidates.times + applications.times
    batched_span = (max(batched) - min(batched)) / 1000 if batched else 0.0
    all_records = len(batched) + len(stages.times)
    wall = sync.ended - sync.started
    first_write = min(batched) / 1000 if batched else sync.started
    pending, refused = outbox_left()
    lost = {
        "candidates": args.candidates - len(set(candidates.ids)),
        "applications": args.candidates - len(set(applications.ids)),
        "stages": args.candidates - len(set(stages.ids)),
    }
    errors = sum(n for (_, status), n in statuses.items() if status >= 400)
    batched_rate = rate(len(batched), batched_span)
    print_table(
        f"Run 1, throttle off: {args.candidates:,} candidates ({load()} at the end)",
        [
            (
                "sync wall time",
                f"{wall:,.1f} s ({first_write - sync.started:.1f} s to the "
                "first candidate: start-up, enqueue, jobs, ACLs)",
            ),
            (
                "candidates + applications",
                f"{len(batched):,} records in {batched_span:,.1f} s = "
                f"{batched_rate:,.0f} records/s = {batched_rate / ceiling:.0%} of the "
                f"{ceiling:,.0f} records/s ceiling (batches of 100, measured after the sync)",
            ),
            (
                "stage records",
                f"{len(stages.times):,} in {stages.span():,.1f} s = "
                f"{rate(len(stages.times), stages.span()):,.0f} records/s (one call each)",
            ),
            (
                "overall",
                f"{all_records:,} records in {wall:,.1f} s = "
                f"{rate(all_records, wall):,.0f} records/s wall",
            ),
            ("peak RSS of the sync", f"{sync.peak_rss_mb:,.0f} MB"),
            (
                "CPU time",
                f"sync {sync.cpu_seconds:,.0f} s, sandbox {sandbox_cpu:,.0f} s (2 cores, shared)",
            ),
            ("calls", calls_by_resource(statuses) + f"; {errors:,} answered >= 400"),
            ("in the sandbox", ", ".join(f"{r} {len(held[r].ids):,}" for r in RESOURCES)),
            ("lost", ", ".join(f"{name} {n:,}" for name, n in lost.items())),
            ("ATS outbox left", f"{pending:,} pending, {refused:,} refused"),
        ],
    )
    return {
        "wall_s": wall,
        "batched_records_per_s": batched_rate,
        "ceiling_records_per_s": ceiling,
        "share_of_ceiling": batched_rate / ceiling,
        "stage_records_per_s": rate(len(stages.times), stages.span()),
        "overall_records_per_s": rate(all_records, wall),
        "peak_rss_mb": sync.peak_rss_mb,
        "sync_cpu_s": sync.cpu_seconds,
        "sandbox_cpu_s": sandbox_cpu,
        "lost": sum(lost.values()),
    }


def run_batch_sizes(args: argparse.Namespace, root: Path) -> list[dict[str, float]]:
    """Candidates + applications records/s against the ATS's batch size, each beside the
    sandbox's raw ceiling at the same size."""
    points = []
    for size in args.batch_sizes:
        point = backfill_in_batches(args, root / f"size-{size}", size)
        point["ceiling_records_per_s"] = measure_ceiling(
            root / f"size-{size}", args.members, size, args.ceiling_records
        )
        point["share_of_ceiling"] = point["records_per_s"] / point["ceiling_records_per_s"]
        points.append(point)
        print(f"run 3: batch size {size} done ({load()})")
    print_table(
        f"Run 3, throttle off, by batch size: {args.candidates:,} candidates + applications "
        f"({load()} at the end)",
        [
            (
                f"batches of {p['batch_size']:.0f}",
                f"{p['records_per_s']:,.0f} records/s = {p['share_of_ceiling']:.0%} of the "
                f"{p['ceiling_records_per_s']:,.0f} records/s ceiling; CPU per record: sync "
                f"{p['sync_cpu_ms_per_record']:.2f} ms, sandbox "
                f"{p['sandbox_cpu_ms_per_record']:.2f} ms; peak RSS {p['peak_rss_mb']:,.0f} MB",
            )
            for p in points
        ],
    )
    return points


def backfill_in_batches(args: argparse.Namespace, root: Path, size: int) -> dict[str, float]:
    """The backfill's candidates and applications at LINKEDIN_BATCH_SIZE=`size`; the sync is
    stopped once the sandbox holds all N of both (the stage history that follows goes one call
    per application whatever the batch size)."""
    root.mkdir(parents=True)
    limits = {"records_per_minute": UNLIMITED, "write_calls_per_day": UNLIMITED}
    sandbox = start_sandbox(root, args.members, limits)
    try:
        forget_linkedin()
        env = ats_env(args, sandbox, UNLIMITED, batch_size=size)
        connect(env)
        sandbox_cpu = sandbox.cpu_seconds()
        sync = SyncProcess.start(env, root / "sync.log", "--backfill")
        while not sync.reap() and min(sandbox.total(r) for r in RESOURCES[:2]) < args.candidates:
            time.sleep(0.5)
        sandbox_cpu = sandbox.cpu_seconds() - sandbox_cpu
        if sync.process.returncode is None:
            sync.interrupt()
        elif sync.process.returncode != 0:
            print(sync.tail())
        held = [Held.read(sandbox, resource) for resource in RESOURCES[:2]]
    finally:
        sandbox.close()
    times = held[0].times + held[1].times
    span = (max(times) - min(times)) / 1000 if times else 0.0
    return {
        "batch_size": size,
        "records": len(times),
        "records_per_s": rate(len(times), span),
        "peak_rss_mb": sync.peak_rss_mb,
        "sync_cpu_ms_per_record": sync.cpu_seconds * 1000 / max(1, len(times)),
        "sandbox_cpu_ms_per_record": sandbox_cpu * 1000 / max(1, len(times)),
    }


def run_throttled(args: argparse.Namespace, root: Path) -> None:
    """The backfill under LinkedIn's per-minute limit, each round measured on its own: stage
    history goes in the children's round, after every candidate and application, so unless the
    whole N is sent, the stage round is measured by resuming the stopped sync with only the
    stage rows of the applications already synced."""
    per_minute = args.per_minute
    seconds = float("inf") if args.full_throttled else args.throttled_minutes * 60
    limits = {"records_per_minute": per_minute, "write_calls_per_day": 100_000}
    sandbox = start_sandbox(root / "on", args.members, limits)
    try:
        forget_linkedin()
        env = ats_env(args, sandbox, None if per_minute == LINKEDIN_PER_MINUTE else per_minute)
        connect(env)
        print(f"run 2 (throttle on): backfill started ({load()})")
        sync = SyncProcess.start(env, root / "sync-on.log", "--backfill")
        ends = dict.fromkeys(RESOURCES[:2], measure_window(sandbox, sync, RESOURCES[0], seconds))
        print(f"run 2: backfill stopped, exit {sync.process.returncode} ({load()})")
        peak_rss_mb = sync.peak_rss_mb
        if sync.process.returncode != 0:
            leave_only_stages()
            print(f"run 2: stage round resumed by `sync` ({load()})")
            sync = SyncProcess.start(env, root / "sync-stages.log")
        ends[RESOURCES[2]] = measure_window(sandbox, sync, RESOURCES[2], seconds)
        print(f"run 2: stopped, exit {sync.process.returncode} ({load()})")
        peak_rss_mb = max(peak_rss_mb, sync.peak_rss_mb)
        held = {resource: Held.read(sandbox, resource) for resource in RESOURCES}
        statuses = sandbox.statuses()
    finally:
        sandbox.close()
    rows = [
        utilisation(r, held[r].until(ends[r]), ends[r], per_minute, args.candidates)
        for r in RESOURCES
    ]
    throttled = {r: n for (r, status), n in statuses.items() if status == 429}
    rows += [
        ("calls", calls_by_resource(statuses)),
        (
            "429s",
            f"{sum(throttled.values()):,}"
            + "".join(f", {r} {n:,}" for r, n in sorted(throttled.items())),
        ),
        ("marked synced, not held", not_held(held)),
        ("ATS outbox left", "{:,} pending, {:,} refused".format(*outbox_left())),
        ("peak RSS of the sync", f"{peak_rss_mb:,.0f} MB"),
    ]
    scope = "the whole run" if args.full_throttled else f"{args.throttled_minutes:g} min a round"
    print_table(
        f"Run 2, throttle on ({per_minute:,} records/min), {scope} ({load()} at the end)", rows
    )


def measure_window(sandbox: Sandbox, sync: SyncProcess, resource: str, seconds: float) -> int:
    """Wait for the first write to `resource`, then `seconds` or the sync's end, whichever comes
    first; the sync is stopped and the window's end (ms) returned."""
    while sandbox.total(resource) == 0 and not sync.reap():
        time.sleep(0.5)
    if sync.wait(seconds):
        if sync.process.returncode != 0:
            print(sync.tail())
        return int(sync.ended * 1000)
    end = int(time.time() * 1000)
    sync.interrupt()
    return end


def leave_only_stages() -> None:
    """The outbox as if every candidate and application were sent: only the stage rows the
    accepted applications queued, none leased by the stopped sync."""
    from django.db import connections

    from hirebridge.linkedin.models import OutboxItem, OutboxKind, SyncCursor

    OutboxItem.objects.exclude(kind=OutboxKind.APPLICATION_STAGES).delete()
    OutboxItem.objects.update(lease_until=None)
    SyncCursor.objects.update(lease_until=None)
    connections.close_all()


def utilisation(
    resource: str, times: list[int], end_ms: int, per_minute: int, total: int
) -> tuple[str, str]:
    """Records accepted per minute from the resource's first write to the window's end (to its
    last write once all `total` are in: the sync went on with other resources), and the
    sandbox's own count in each whole calendar minute (the window LinkedIn counts in)."""
    if not times:
        return resource, "none in the window"
    end_ms = times[-1] if len(times) >= total else end_ms
    minutes = (end_ms - times[0]) / 60_000
    accepted = rate(len(times), minutes)
    calendar = Counter(t // 60_000 for t in times)
    whole = [n for _, n in sorted(calendar.items())[1:-1]]
    return (
        resource,
        f"{len(times):,} in {minutes:.2f} min = {accepted:,.0f}/min = "
        f"{accepted / per_minute:.1%} of {per_minute:,}"
        + (f"; whole minutes {min(whole):,}-{max(whole):,}" if whole else ""),
    )


def not_held(held: dict[str, Held]) -> str:
    """Entities the ATS marked as synced that the sandbox does not hold (should be none)."""
    pairs = {
        "candidates": ("candidate", "atsCandidates"),
        "applications": ("application", "atsApplications"),
        "stage histories": ("application_stages", "atsApplicationStages"),
    }
    counts = []
    for name, (kind, resource) in pairs.items():
        marked = synced_ids(kind)
        counts.append(f"{name} {len(marked - set(held[resource].ids)):,} of {len(marked):,}")
    return ", ".join(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=50)
    parser.add_argument("--members", type=int, default=1_000, help="the sandbox's members")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "hirebridge-bench-backfill",
        help="the ATS's DATA_DIR (SQLite unless --database-url); emptied unless --reuse",
    )
    parser.add_argument("--database-url", help="another database (it must be empty, or --reuse)")
    parser.add_argument("--reuse", action="store_true", help="keep the ATS built by a last run")
    parser.add_argument(
        "--runs", choices=("both", "unthrottled", "throttled", "none"), default="both"
    )
    parser.add_argument(
        "--batch-sizes",
        type=batch_sizes,
        default=[],
        help="run 3 at each LINKEDIN_BATCH_SIZE, e.g. 10,25,50,100 (LinkedIn's maximum is 100)",
    )
    parser.add_argument(
        "--ceiling-records",
        type=int,
        default=20_000,
        help="records PUT to measure the sandbox's raw ceiling at each batch size",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--throttled-minutes", type=float, default=3.0)
    parser.add_argument(
        "--per-minute",
        type=int,
        default=LINKEDIN_PER_MINUTE,
        help="run 2's records per minute per resource, in the sandbox and the ATS alike "
        "(default LinkedIn's; lower it to see the buckets where the machine cannot carry that)",
    )
    parser.add_argument(
        "--full-throttled", action="store_true", help="run 2 sends all N (24 min for 100,000 here)"
    )
    args = parser.parse_args()
    if args.candidates < 1 or args.postings < 1:
        parser.error("--candidates and --postings: at least 1")
    if args.per_minute <= 200:
        parser.error("--per-minute: the ATS's buckets need more than 200 (two batches)")
    if args.ceiling_records < 1:
        parser.error("--ceiling-records: at least 1")
    args.data_dir = args.data_dir.resolve()
    started_load = os.getloadavg()
    marker = args.data_dir / MARKER
    reusable = args.reuse and marker.exists() and json.loads(marker.read_text()) == shape_of(args)
    if not reusable and not args.database_url:
        fresh_data_dir(args.data_dir)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(args.data_dir, args.database_url)
    prepare_ats(args, reusable)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.runs in ("both", "unthrottled"):
            figures["unthrottled"] = run_unthrottled(args, root)
        if args.runs in ("both", "throttled"):
            run_throttled(args, root)
        if args.batch_sizes:
            figures["by_batch_size"] = run_batch_sizes(args, root)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "backfill",
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "git": git_sha(),
                    "load_avg": {"start": started_load, "end": os.getloadavg()},
                    "params": {
                        **shape_of(args),
                        "members": args.members,
                        "runs": args.runs,
                        "batch_sizes": args.batch_sizes,
                        "ceiling_records": args.ceiling_records,
                    },
                    "figures": figures,
                },
                indent=2,
            )
        )


def batch_sizes(text: str) -> list[int]:
    """`10,25,50,100` → [10, 25, 50, 100]; each from 1 to LinkedIn's 100."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated whole numbers, got {text!r}") from None
    if not all(1 <= size <= 100 for size in sizes):
        raise argparse.ArgumentTypeError(f"each size from 1 to 100, got {text!r}")
    return sizes


if __name__ == "__main__":
    main()
