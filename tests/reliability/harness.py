"""Real processes for the reliability and scale-out tests and the soak bench: the LinkedIn
sandbox, the ATS web process and its workers, wired as the demo wires them, each in a process
group of its own, so that a SIGKILL takes a worker with every thread it runs (as the OOM killer
or a power cut would) and a restart starts it afresh.

`running(scratch, …)` starts them in a scratch directory on free loopback ports and stops them
on the way out. The ATS runs on SQLite + SqliteHuey, or on the PostgreSQL database and Redis
queue given (both EMPTIED first: give it scratch ones). `Cluster` is what a test drives: the
sandbox's control API, ledger, records and its own database (LinkedIn's record of what
happened), the ATS database, `hirebridge` commands, and the worker slots, whose workers may be
killed and started again.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import redis
from django.conf import settings
from psycopg import sql

T = TypeVar("T")
START_SECONDS = 90
STOP_SECONDS = 20
COMMAND_SECONDS = 300
PUSH_TIMEOUT_SECONDS = 15
WORKER_READY = "consumer started"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(check: Callable[[], T], seconds: float, what: str, pause: float = 0.3) -> T:
    """The first truthy answer of `check`, asked until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(pause)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).is_success
    except httpx.TransportError:
        return False


def hirebridge(env: dict[str, str], *args: str) -> str:
    """Run a `hirebridge` command that must succeed; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "hirebridge", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"hirebridge {' '.join(args)}:\n{done.stdout}{done.stderr}")
    return done.stdout


def uuid_text(value: object) -> str:
    """A UUID as LinkedIn is sent it (SQLite stores UUIDs as bare hex, PostgreSQL as uuid)."""
    return str(uuid.UUID(str(value)))


def key_field(record_key: str, name: str) -> str:
    """One field of a LinkedIn record's canonical key ("atsCandidateId=…&dataProvider=ATS&…")."""
    return dict(part.split("=", 1) for part in record_key.split("&"))[name]


# PostgreSQL and Redis.


def suite_on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def postgres_server() -> str:
    """The PostgreSQL server the suite uses when it runs on one, else the local default."""
    database = settings.DATABASES["default"]
    if suite_on_postgres():
        return f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}"
    return "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database named `prefix`…, dropped afterwards, as a DATABASE_URL;
    raises psycopg.OperationalError when the server cannot be reached."""
    server = postgres_server()
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server.replace('postgresql://', 'postgres://', 1)}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def postgres_or_skip(prefix: str, why: str) -> Iterator[str]:
    """`postgres_database`, or the test skipped (`why` needs it) when PostgreSQL is unreachable."""
    with ExitStack() as cleanup:
        try:
            url = cleanup.enter_context(postgres_database(prefix))
        except psycopg.OperationalError as exc:
            pytest.skip(f"{why} needs PostgreSQL at {postgres_server()}: {exc}")
        yield url


def redis_or_skip(url: str, why: str) -> str:
    """The Redis database `url`, emptied, or the test skipped (`why` needs it) when unreachable."""
    queue = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        queue.flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"{why} needs Redis at {url}: {exc}")
    finally:
        queue.close()
    return url


def empty_postgres(database_url: str) -> None:
    """Create the database if the server lacks it, else empty it."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    server = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# Processes.


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process in a new session (its own process group), its output in `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process's whole group (SIGKILL: no handler runs, nothing is cleaned up)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(STOP_SECONDS)


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM every group still running at once, then SIGKILL those that do not stop."""
    for process in processes:
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            kill_group(process)


@dataclass
class LedgerCount:
    """How many requests LinkedIn (the sandbox) received since `since` that `counts` says
    count; each call reads only the rows that came in since the last."""

    cluster: "Cluster"
    since: int
    counts: Callable[[dict], bool]
    seen: int = 0

    def __call__(self) -> int:
        for row in self.cluster.ledger(self.since):
            self.seen += self.counts(row)
            self.since = row["id"]
        return self.seen


@dataclass
class Cluster:
    env: dict[str, str]
    ats: str
    sandbox: str
    scratch: Path
    database_url: str | None  # None: SQLite in the scratch directory
    others: list[subprocess.Popen] = field(default_factory=list)  # the sandbox and web process
    workers: list[subprocess.Popen] = field(default_factory=list)  # by slot, dead ones too
    logs: list[Path] = field(default_factory=list)  # the slots' current workers' logs
    all_logs: list[Path] = field(default_factory=list)  # every worker's log, killed ones too
    logins: list[dict[str, str]] = field(default_factory=list)  # seed_demo's, one per role

    # The ATS.

    @property
    def api_key(self) -> str:
        """The Super Admin's REST API key."""
        return next(login["api_key"] for login in self.logins if login["role"] == "Super Admin")

    def hirebridge(self, *args: str) -> str:
        """Run a `hirebridge` command against this ATS; its output."""
        return hirebridge(self.env, *args)

    def query(self, statement: str, *params: Any) -> list[tuple]:
        """Rows of the ATS database; `%s` placeholders on both engines."""
        if self.database_url:
            with psycopg.connect(self.database_url) as conn:
                return conn.execute(statement, params).fetchall()  # type: ignore[arg-type]
        conn = sqlite3.connect(self.scratch / "data" / "hirebridge.sqlite3", timeout=30)
        try:
            return conn.execute(statement.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()

    def scalar(self, statement: str, *params: Any) -> Any:
        return self.query(statement, *params)[0][0]

    def ids(self, statement: str, *params: Any) -> list[str]:
        """The first column's UUIDs, as LinkedIn is sent them."""
        return [uuid_text(value) for (value,) in self.query(statement, *params)]

    def start_worker(self, slot: int | None = None) -> None:
        """A `hirebridge worker` in `slot` (replacing a dead one), or in a new slot."""
        log = self.scratch / f"worker-{len(self.all_logs)}.log"
        worker = spawn([sys.executable, "-m", "hirebridge", "worker"], self.env, log)
        self.all_logs.append(log)
        if slot is None:
            self.workers.append(worker)
            self.logs.append(log)
        else:
            self.workers[slot], self.logs[slot] = worker, log
        eventually(
            lambda: WORKER_READY in log.read_text(errors="replace") or worker.poll() is not None,
            60,
            "the worker starting",
        )
        assert worker.poll() is None, log.read_text(errors="replace")

    def kill_worker(self, slot: int = 0, sig: int = signal.SIGKILL) -> None:
        """Signal the slot's worker's whole process group (its consumer threads die with it)."""
        kill_group(self.workers[slot], sig)

    # LinkedIn (the sandbox).

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the sandbox's `/_sandbox/` API; its JSON (refused → AssertionError)."""
        reply = httpx.request(method, f"{self.sandbox}/_sandbox/{path}", timeout=30, **kwargs)
        if not reply.is_success:
            raise AssertionError(f"{method} /_sandbox/{path}: {reply.status_code} {reply.text}")
        return reply.json()

    def action(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """A sandbox Recruiter action (`export`, `inmail`, `inmail-response`, `reply`, `note`)."""
        return dict(self.control("POST", f"actions/{name}", json=body))

    def callback_validated(self) -> bool:
        """Whether the sandbox has validated every callback URL it pushes to."""
        checks = self.control("GET", "deliveries", params={"limit": 1})["callback_checks"]
        return bool(checks) and all(check["validated_at"] for check in checks)

    def ledger(self, since_id: int = 0, path: str = "") -> list[dict]:
        """The sandbox's ledger rows after `since_id` under `path`, all pages."""
        rows: list[dict] = []
        while True:
            page = self.control(
                "GET", "ledger", params={"since_id": since_id, "path": path, "limit": 10_000}
            )["elements"]
            if not page:
                return rows
            rows += page
            since_id = page[-1]["id"]

    def last_ledger_id(self) -> int:
        rows = self.ledger()
        return rows[-1]["id"] if rows else 0

    def ledger_count(self, counts: Callable[[dict], bool]) -> LedgerCount:
        """A running count of the requests from now on that `counts` says count."""
        return LedgerCount(self, self.last_ledger_id(), counts)

    def held(self, resource: str, key: str) -> list[str]:
        """The `key` field of each record LinkedIn (the sandbox) holds for a resource."""
        keys: list[str] = []
        while True:
            page = self.control(
                "GET", "records", params={"resource": resource, "start": len(keys), "count": 10_000}
            )
            keys += [element["key"] for element in page["elements"]]
            if len(keys) >= page["paging"]["total"] or not page["elements"]:
                return [key_field(record_key, key) for record_key in keys]

    def held_count(self, resource: str) -> int:
        """How many records LinkedIn (the sandbox) holds for a resource."""
        page = self.control("GET", "records", params={"resource": resource, "start": 0, "count": 1})
        return int(page["paging"]["total"])

    def linkedin_record(self, statement: str, *params: Any) -> list[sqlite3.Row]:
        """Rows of the sandbox's own database, read-only: what LinkedIn holds and did."""
        path = self.scratch / "sandbox" / "sandbox.sqlite3"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(statement, params).fetchall()
        finally:
            conn.close()


def _environment(
    scratch: Path,
    sandbox_url: str,
    ats_url: str,
    database_url: str | None,
    huey_url: str | None,
    extra: dict[str, str],
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "HUEY_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATA_DIR": str(scratch / "data"),
        "DEBUG": "false",
        "LINKEDIN_API_BASE": sandbox_url,
        "LINKEDIN_OAUTH_BASE": sandbox_url,
        "HIREBRIDGE_PUBLIC_URL": ats_url,
        "HUEY_NAME": f"reliability-{os.getpid()}-{uuid.uuid4().hex[:8]}",
        "API_RATE_PER_SECOND": "1000",
        "API_RATE_BURST": "1000",
        "LOG_LEVEL": "INFO",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if huey_url:
        env["HUEY_URL"] = huey_url
        env["API_CACHE_REDIS_DB"] = urlsplit(huey_url).path.strip("/") or "0"
    return env | extra


@contextmanager
def running(
    scratch: Path,
    *,
    members: int = 400,
    workers: int = 1,
    database_url: str | None = None,
    huey_url: str | None = None,
    env: dict[str, str] | None = None,
    seed: int = 5,
    candidates: int = 0,
    demo_seed: int = 42,
    backfill: bool = True,
) -> Iterator[Cluster]:
    """The sandbox (`members` members from `seed`), the ATS web process seeded with the demo's
    users and postings and `candidates` candidates (from `demo_seed`) and connected to it
    (`connect_sandbox`: seats mapped, postings synced as jobs, the historical sync done only if
    `backfill`, callback validated), the export quota lifted, and `workers` workers; all stopped
    on the way out."""
    if database_url:
        empty_postgres(database_url)
    if huey_url:
        queue = redis.Redis.from_url(huey_url)
        queue.flushdb()
        queue.close()
    sandbox_port, ats_port = free_port(), free_port()
    sandbox_url, ats_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{ats_port}"
    cluster = Cluster(
        env=_environment(scratch, sandbox_url, ats_url, database_url, huey_url, env or {}),
        ats=ats_url,
        sandbox=sandbox_url,
        scratch=scratch,
        database_url=database_url,
    )
    try:
        cluster.others.append(
            spawn(
                [
                    *(sys.executable, "-m", "sandbox", "--port", str(sandbox_port)),
                    *("--data-dir", str(scratch / "sandbox"), "--members", str(members)),
                    *("--seed", str(seed)),
                ],
                # LinkedIn allows 3 s for a challenge or a push; a loaded 2-core test machine
                # can take longer, and three missed challenges block the callback for good.
                {**os.environ, "RSC_SANDBOX_PUSH_TIMEOUT_SECONDS": str(PUSH_TIMEOUT_SECONDS)},
                scratch / "sandbox.log",
            )
        )
        cluster.hirebridge("migrate", "--no-input")
        credentials = scratch / "credentials.json"
        cluster.hirebridge(
            *("seed_demo", "--candidates", str(candidates), "--seed", str(demo_seed)),
            *("--credentials", str(credentials)),
        )
        cluster.logins = json.loads(credentials.read_text())
        cluster.others.append(
            spawn(
                [sys.executable, "-m", "hirebridge", "serve", "--bind", f"127.0.0.1:{ats_port}"],
                cluster.env,
                scratch / "web.log",
            )
        )
        eventually(lambda: answers(f"{ats_url}/healthz"), START_SECONDS, "the web process")
        eventually(lambda: answers(f"{sandbox_url}/_sandbox/tenant"), START_SECONDS, "the sandbox")
        # Warm: a cold first request may miss LinkedIn's challenge on a loaded machine.
        answers(f"{ats_url}/linkedin/callback/warm-up?challengeCode=x")
        cluster.hirebridge(
            *("connect_sandbox", "--sandbox-url", sandbox_url),
            *(() if backfill else ("--no-backfill",)),
        )
        # LinkedIn pushes nothing before the callback answered its challenge (a failed one is
        # tried again after a minute).
        eventually(cluster.callback_validated, START_SECONDS, "LinkedIn validating the callback")
        cluster.control("PUT", "settings", json={"exports_per_seat_per_month": 100_000})
        for _ in range(workers):
            cluster.start_worker()
        yield cluster
    finally:
        stop_all([*cluster.workers, *cluster.others])
