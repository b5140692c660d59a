"""Scale-out mode as it is deployed: PostgreSQL for data, Redis for the queue, the web process and
two `hirebridge worker` processes beside the sandbox, all real processes over HTTP.

Bursts of 1-click exports (the sandbox's Recruiter action) and of ATS changes (the REST API)
land exactly once: one candidate and one opportunity per export, one send per changed entity,
an empty outbox, and both workers took part. One worker killed with SIGKILL mid-burst leaves
its work to the other once its leases run out. Each worker's consumer runs a scheduler, yet each
periodic task is rung once a minute.

This module proves the PostgreSQL + Redis mode, so it runs whenever both servers are reachable,
even when the rest of the suite runs on SQLite.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg
import pytest
import redis
from django.conf import settings
from psycopg import sql

from tests.e2e.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# Not the suite's own queue (HUEY_URL=redis://…/15): this database is flushed at the start.
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/14")
LEASE_SECONDS = 4
EXPORTS_PER_BURST = 40
CHANGES_PER_BURST = 30
# A killed worker's tasks are lost with it; the once-a-minute sweepers ring again for its rows.
# If the victim held that minute's sweep when it died, the next minute's sweep does it: two ticks,
# and the backlog processed by one worker on a loaded machine.
RECOVERY_SECONDS = 180
PROCESSED = re.compile(r"push EXPORT_CANDIDATE_PROFILE \S+ processed")
PERIODIC = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d):[\d,]+\] .*Enqueueing periodic task "
    r"hirebridge\.linkedin\.tasks\.(\w+)",
    re.MULTILINE,
)
T = TypeVar("T")


def postgres_server() -> str:
    """The PostgreSQL server the suite uses when it runs on one, else the local default."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        return f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}"
    return "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    server = postgres_server()
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"scale-out mode needs PostgreSQL at {server}: {exc}")
    name = f"hirebridge_e2e_scale_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"{server.replace('postgresql://', 'postgres://', 1)}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def queue_url() -> str:
    queue = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        queue.flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"scale-out mode needs Redis at {REDIS_URL}: {exc}")
    finally:
        queue.close()
    return REDIS_URL


@dataclass
class Cluster:
    env: dict[str, str]
    ats: str
    sandbox: str
    db: str  # the ATS database, read directly to watch the work land
    api_key: str
    scratch: Path
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)  # the running workers' logs, by slot
    all_logs: list[Path] = field(default_factory=list)  # the killed workers' too

    def start_worker(self, slot: int) -> None:
        """A `hirebridge worker` in this slot (a new one, or a replacement for a dead one)."""
        log = self.scratch / f"worker-{len(self.all_logs)}.log"
        with log.open("w") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "hirebridge", "worker"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if slot < len(self.workers):
            self.workers[slot], self.logs[slot] = worker, log
        else:
            self.workers.append(worker)
            self.logs.append(log)
        self.all_logs.append(log)
        eventually(lambda: "consumer started" in log.read_text(), 60, "the worker starting")

    def processed(self) -> list[int]:
        """Pushes processed so far by each running worker."""
        return [len(PROCESSED.findall(log.read_text(errors="replace"))) for log in self.logs]

    def query(self, statement: str, *params: Any) -> list[tuple]:
        with psycopg.connect(self.db) as conn:
            return conn.execute(statement, params).fetchall()

    def ledger_since(self, since_id: int, path: str) -> list[dict]:
        rows: list[dict] = []
        while True:
            page = httpx.get(
                f"{self.sandbox}/_sandbox/ledger",
                params={"since_id": since_id, "path": path, "limit": 10_000},
                timeout=10,
            ).json()["elements"]
            if not page:
                return rows
            rows += page
            since_id = page[-1]["id"]

    def last_ledger_id(self) -> int:
        rows = httpx.get(f"{self.sandbox}/_sandbox/ledger", params={"limit": 10_000}).json()
        return rows["elements"][-1]["id"] if rows["elements"] else 0


def hirebridge(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hirebridge", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"hirebridge {args[0]}: {done.stdout}{done.stderr}"
    return done.stdout


def eventually(check: Callable[[], T], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).is_success
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def cluster(database_url, queue_url, tmp_path_factory) -> Iterator[Cluster]:
    scratch = tmp_path_factory.mktemp("scale_out")
    sandbox_url = f"http://127.0.0.1:{free_port()}"
    ats_port = free_port()
    redis_db = queue_url.rsplit("/", 1)[-1]
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url,
        "HUEY_URL": queue_url,
        "HUEY_NAME": f"scale-{uuid.uuid4().hex[:8]}",
        "API_CACHE_REDIS_DB": redis_db,
        "DATA_DIR": str(scratch / "data"),
        "LINKEDIN_API_BASE": sandbox_url,
        "LINKEDIN_OAUTH_BASE": sandbox_url,
        "LINKEDIN_SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
        "API_RATE_PER_SECOND": "1000",
        "API_RATE_BURST": "1000",
        "LOG_LEVEL": "INFO",
    }
    sandbox = subprocess.Popen(
        [
            *(sys.executable, "-m", "sandbox", "--port", sandbox_url.rsplit(":", 1)[1]),
            *("--data-dir", str(scratch / "sandbox"), "--members", "400", "--seed", "5"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    processes = [sandbox]
    found = None
    try:
        hirebridge(env, "migrate", "--no-input")
        credentials = scratch / "credentials.json"
        hirebridge(env, "seed_demo", "--candidates", "20", "--credentials", str(credentials))
        logins = json.loads(credentials.read_text())
        super_admin = next(login for login in logins if login["role"] == "Super Admin")
        ats_url = f"http://127.0.0.1:{ats_port}"
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "hirebridge", "serve", "--bind", f"127.0.0.1:{ats_port}"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        eventually(lambda: answers(f"{ats_url}/healthz"), 60, "the web process answering")
        eventually(lambda: answers(f"{sandbox_url}/_sandbox/tenant"), 60, "the sandbox answering")
        hirebridge(env, "connect_sandbox", "--sandbox-url", sandbox_url, "--public-url", ats_url)
        httpx.put(
            f"{sandbox_url}/_sandbox/settings", json={"exports_per_seat_per_month": 100_000}
        ).raise_for_status()
        found = Cluster(
            env=env,
            ats=ats_url,
            sandbox=sandbox_url,
            db=database_url,
            api_key=super_admin["api_key"],
            scratch=scratch,
        )
        for slot in range(2):
            found.start_worker(slot)
        yield found
    finally:
        for process in [*processes, *(found.workers if found else [])]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*processes, *(found.workers if found else [])]:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class Burst:
    persons: list[str]  # the members exported, as person URNs
    created: list[str]  # the candidates the REST API created


def burst(cluster: Cluster, offset: int) -> Burst:
    """Exports (members spread over the seats, as many recruiters at once) and REST API
    creations, both from their own threads so that the two kinds of work overlap."""
    sandbox = f"{cluster.sandbox}/_sandbox/"
    seats = httpx.get(sandbox + "tenant").json()["seats"]
    members = httpx.get(
        sandbox + "members", params={"start": offset, "count": EXPORTS_PER_BURST}
    ).json()["elements"]
    postings = httpx.get(
        f"{cluster.ats}/v1/postings",
        auth=(cluster.api_key, ""),
        params={"state": "published", "limit": 5},
    ).json()["data"]
    result = Burst(persons=[], created=[])

    def export() -> None:
        with httpx.Client(timeout=30) as client:
            for index, member in enumerate(members):
                seat = seats[index % len(seats)]
                client.post(
                    sandbox + "actions/export",
                    json={"seat_id": seat["id"], "member_id": member["id"]},
                ).raise_for_status()
                result.persons.append(member["person"])

    def create() -> None:
        with httpx.Client(base_url=cluster.ats, auth=(cluster.api_key, ""), timeout=30) as api:
            for index in range(CHANGES_PER_BURST):
                reply = api.post(
                    "/v1/opportunities",
                    json={
                        "name": f"Scale Candidate {offset}-{index}",
                        "emails": [f"scale-{offset}-{index}@example.com"],
                        "postings": [postings[index % len(postings)]["id"]],
                    },
                )
                assert reply.status_code == 201, reply.text
                result.created.append(reply.json()["data"]["contact"])

    with ThreadPoolExecutor(2) as pool:
        for running in [pool.submit(export), pool.submit(create)]:
            running.result(timeout=120)
    assert len(result.persons) == EXPORTS_PER_BURST
    assert len(result.created) == CHANGES_PER_BURST
    return result


def candidates_of(cluster: Cluster, persons: list[str]) -> dict[str, list[str]]:
    rows = cluster.query(
        "SELECT person_urn, candidate_id::text FROM linkedin_profileconnection "
        "WHERE person_urn = ANY(%s)",
        persons,
    )
    found: dict[str, list[str]] = {}
    for person, candidate in rows:
        found.setdefault(person, []).append(candidate)
    return found


def settled(cluster: Cluster, work: Burst) -> bool:
    """Every export ingested, every push done and nothing left in the outbox."""
    if len(candidates_of(cluster, work.persons)) < len(work.persons):
        return False
    open_events = cluster.query(
        "SELECT count(*) FROM linkedin_inboundevent WHERE status != 'done'"
    )[0][0]
    return open_events == 0 and cluster.query("SELECT count(*) FROM linkedin_outboxitem")[0][0] == 0


def assert_landed_once(cluster: Cluster, work: Burst) -> list[str]:
    """One candidate with one opportunity per export, and LinkedIn holds every candidate of the
    burst; returns the exported candidates' ids."""
    candidates = candidates_of(cluster, work.persons)
    assert all(len(ids) == 1 for ids in candidates.values()), candidates
    exported = [ids[0] for ids in candidates.values()]
    opportunities = Counter(
        candidate
        for (candidate,) in cluster.query(
            "SELECT candidate_id::text FROM hiring_opportunity WHERE candidate_id::text = ANY(%s)",
            exported,
        )
    )
    assert {opportunities[candidate] for candidate in exported} == {1}
    assert set(work.created) | set(exported) <= held_candidates(cluster)
    return exported


def held_candidates(cluster: Cluster) -> set[str]:
    """The ATS candidate ids LinkedIn (the sandbox) holds."""
    keys: list[str] = []
    while True:
        page = httpx.get(
            f"{cluster.sandbox}/_sandbox/records",
            params={"resource": "atsCandidates", "start": len(keys), "count": 10_000},
        ).json()
        keys += [element["key"] for element in page["elements"]]
        if len(keys) >= page["paging"]["total"] or not page["elements"]:
            return {dict(p.split("=", 1) for p in key.split("&"))["atsCandidateId"] for key in keys}


def candidate_sends(cluster: Cluster, since_id: int) -> Counter[str]:
    """How many times each candidate was accepted by LinkedIn since a ledger row."""
    sends: Counter[str] = Counter()
    for row in cluster.ledger_since(since_id, "/v2/atsCandidates"):
        if row["method"] == "PUT" and row["status"] < 300:
            for key in row["ids"]:
                sends[dict(p.split("=", 1) for p in key.split("&"))["atsCandidateId"]] += 1
    return sends


def test_two_workers_share_the_work_and_do_each_piece_once(cluster):
    since = cluster.last_ledger_id()
    before = cluster.processed()

    work = burst(cluster, offset=0)

    eventually(lambda: settled(cluster, work), 60, "the burst settling")
    exported = assert_landed_once(cluster, work)
    sends = candidate_sends(cluster, since)
    assert {sends[candidate] for candidate in [*work.created, *exported]} == {1}, sends
    processed = [after - start for after, start in zip(cluster.processed(), before, strict=True)]
    assert all(processed), f"exports processed per worker: {processed}"
    assert sum(processed) == EXPORTS_PER_BURST


@pytest.mark.timeout(420)
def test_a_killed_worker_leaves_its_work_to_the_other(cluster):
    since = cluster.last_ledger_id()
    before = cluster.processed()
    victim, survivor = cluster.workers

    killer = threading.Timer(1.0, lambda: victim.send_signal(signal.SIGKILL))
    killer.start()
    work = burst(cluster, offset=EXPORTS_PER_BURST)
    killer.join()
    victim.wait(10)

    eventually(lambda: settled(cluster, work), RECOVERY_SECONDS, "the survivor finishing")
    assert survivor.poll() is None
    assert_landed_once(cluster, work)
    assert cluster.processed()[1] > before[1], "the survivor processed none of the burst"
    # A batch the victim had sent but not yet settled may go again: at most one batch of 100.
    resent = sum(n - 1 for n in candidate_sends(cluster, since).values() if n > 1)
    assert resent <= 100
    cluster.start_worker(0)  # back to two, whatever runs next


def test_each_periodic_task_is_rung_once_a_minute_whatever_the_number_of_workers(cluster):
    """Every worker's consumer runs a scheduler; one of them rings each periodic task per tick."""
    rung = Counter(
        (task, minute)
        for log in cluster.all_logs
        for minute, task in PERIODIC.findall(log.read_text(errors="replace"))
    )
    assert rung, "no periodic task was rung"
    assert {task for task, _ in rung} >= {"sweep_events", "sweep_outbox", "poll_linkedin"}
    assert [ring for ring, times in rung.items() if times > 1] == []
