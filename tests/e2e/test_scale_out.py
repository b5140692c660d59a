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

import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.reliability.harness import (
    Cluster,
    eventually,
    key_field,
    postgres_or_skip,
    redis_or_skip,
    running,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# Not the suite's own queue (HUEY_URL=redis://…/15): this database is flushed at the start.
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE_PREFIX = "hirebridge_e2e_scale_"
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


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    with (
        postgres_or_skip(DATABASE_PREFIX, "scale-out mode") as database_url,
        running(
            tmp_path_factory.mktemp("scale_out"),
            workers=2,
            database_url=database_url,
            huey_url=redis_or_skip(REDIS_URL, "scale-out mode"),
            env={"LINKEDIN_SYNC_LEASE_SECONDS": str(LEASE_SECONDS)},
            candidates=20,
        ) as found,
    ):
        yield found


def processed_by_slot(cluster: Cluster) -> list[int]:
    """Pushes processed so far by each slot's current worker."""
    return [len(PROCESSED.findall(log.read_text(errors="replace"))) for log in cluster.logs]


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
        for task in [pool.submit(export), pool.submit(create)]:
            task.result(timeout=120)
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
    assert set(work.created) | set(exported) <= set(cluster.held("atsCandidates", "atsCandidateId"))
    return exported


def candidate_sends(cluster: Cluster, since_id: int) -> Counter[str]:
    """How many times each candidate was accepted by LinkedIn since a ledger row."""
    sends: Counter[str] = Counter()
    for row in cluster.ledger(since_id, "/v2/atsCandidates"):
        if row["method"] == "PUT" and row["status"] < 300:
            sends.update(key_field(key, "atsCandidateId") for key in row["ids"])
    return sends


def test_two_workers_share_the_work_and_do_each_piece_once(cluster):
    since = cluster.last_ledger_id()
    before = processed_by_slot(cluster)

    work = burst(cluster, offset=0)

    eventually(lambda: settled(cluster, work), 60, "the burst settling")
    exported = assert_landed_once(cluster, work)
    sends = candidate_sends(cluster, since)
    assert {sends[candidate] for candidate in [*work.created, *exported]} == {1}, sends
    processed = [
        after - start for after, start in zip(processed_by_slot(cluster), before, strict=True)
    ]
    assert all(processed), f"exports processed per worker: {processed}"
    assert sum(processed) == EXPORTS_PER_BURST


@pytest.mark.timeout(420)
def test_a_killed_worker_leaves_its_work_to_the_other(cluster):
    since = cluster.last_ledger_id()
    before = processed_by_slot(cluster)
    survivor = cluster.workers[1]

    killer = threading.Timer(1.0, cluster.kill_worker, args=(0,))
    killer.start()
    work = burst(cluster, offset=EXPORTS_PER_BURST)
    killer.join()

    eventually(lambda: settled(cluster, work), RECOVERY_SECONDS, "the survivor finishing")
    assert survivor.poll() is None
    assert_landed_once(cluster, work)
    assert processed_by_slot(cluster)[1] > before[1], "the survivor processed none of the burst"
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
