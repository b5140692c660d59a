"""Recruiters export the same member at the same moment, LinkedIn pushes each export twice, and
two workers beside the web process (PostgreSQL, Redis) import the pushes at once: the member
still ends up as one candidate with one opportunity per posting, and one general opportunity
however many exports named no posting.

Runs whenever PostgreSQL and Redis are reachable, even when the rest of the suite runs on SQLite.
"""

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.reliability.harness import (
    Cluster,
    postgres_or_skip,
    redis_or_skip,
    running,
    uuid_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REDIS_URL = "redis://127.0.0.1:6379/12"
DATABASE_PREFIX = "hb_crash_"
NEEDS = "two workers on one database and queue"
AT_ONCE = 8
SETTLE_SECONDS = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Cluster]:
    with (
        postgres_or_skip(DATABASE_PREFIX, NEEDS) as database_url,
        running(
            tmp_path_factory.mktemp("concurrent_exports"),
            members=300,
            workers=2,
            database_url=database_url,
            huey_url=redis_or_skip(REDIS_URL, NEEDS),
            env={"LINKEDIN_SYNC_LEASE_SECONDS": "30"},
            seed=7,
            demo_seed=11,
        ) as cluster,
    ):
        # Every push delivered twice, as LinkedIn warns it may be.
        cluster.control("PUT", "faults", json={"seed": 1, "push": {"duplicate": 1.0}})
        yield cluster


def export_at_once(stack: Cluster, member: dict, postings: list[str | None]) -> set[str]:
    """One export per entry of `postings`, all fired together from different seats; the
    request ids."""
    seats = stack.control("GET", "tenant")["seats"]

    def export(index: int) -> str:
        body = {"seat_id": seats[index % len(seats)]["id"], "member_id": member["id"]}
        if postings[index] is not None:
            body["external_job_posting_id"] = postings[index]
        return stack.action("export", body)["request_id"]

    with ThreadPoolExecutor(len(postings)) as pool:
        return set(pool.map(export, range(len(postings))))


def settle(stack: Cluster, requests: set[str]) -> None:
    """Every push of `requests` stored once and done at its first attempt: an import that lost
    a race for its member would wait minutes for its retry."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        rows = [
            row
            for row in stack.query(
                "SELECT request_id, status, attempts, last_error FROM linkedin_inboundevent"
            )
            if row[0] in requests
        ]
        if len(rows) >= len(requests) and {status for _, status, _, _ in rows} == {"done"}:
            break
        assert time.monotonic() < deadline, f"pushes not done: {rows}"
        time.sleep(0.5)
    assert len(rows) == len(requests), "a push delivered twice was stored twice"
    assert [row for row in rows if row[2] != 1] == [], "pushes that needed another attempt"


def candidacies(stack: Cluster, person: str) -> Counter[str | None]:
    """The member's connected candidates' opportunities, by posting (None: general)."""
    [candidate] = [
        uuid_text(c)
        for (c,) in stack.query(
            "SELECT candidate_id FROM linkedin_profileconnection WHERE person_urn = %s", person
        )
    ]
    return Counter(
        None if posting is None else uuid_text(posting)
        for (posting,) in stack.query(
            "SELECT posting_id FROM hiring_opportunity WHERE candidate_id = %s", candidate
        )
    )


def test_simultaneous_exports_of_one_member_make_one_candidate(stack):
    postings = [
        p["id"]
        for p in httpx.get(
            f"{stack.ats}/v1/postings",
            auth=(stack.api_key, ""),
            params={"state": "published", "limit": 2},
        ).json()["data"]
    ]
    first, second = stack.control("GET", "members", params={"start": 0, "count": 2})["elements"]

    # One member to one posting from every seat at once; another to two postings at once.
    requests = export_at_once(stack, first, [postings[0]] * AT_ONCE)
    requests |= export_at_once(stack, second, [postings[0], postings[1]] * (AT_ONCE // 2))
    settle(stack, requests)
    assert candidacies(stack, first["person"]) == Counter({postings[0]: 1})
    assert candidacies(stack, second["person"]) == Counter({postings[0]: 1, postings[1]: 1})

    # The first member again, with no posting picked, from every seat at once.
    requests = export_at_once(stack, first, [None] * AT_ONCE)
    settle(stack, requests)
    assert candidacies(stack, first["person"]) == Counter({postings[0]: 1, None: 1})
