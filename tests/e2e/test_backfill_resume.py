"""`hirebridge linkedin sync --backfill` killed with SIGKILL halfway, then run again: LinkedIn (the
sandbox, a real process) ends up holding every entity exactly once, and the rerun sends only what
the killed one had not."""

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.e2e.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

CANDIDATES = 150
LEASE_SECONDS = 3
# Slow enough (the token bucket allows 1,000 records a minute per resource) to be killed midway.
RECORDS_PER_MINUTE = 1200
IDS_SCRIPT = """
import json
from hirebridge.hiring.models import Candidate, Opportunity
print(json.dumps({
    "candidates": sorted(str(pk) for pk in Candidate.objects.values_list("pk", flat=True)),
    "applications": sorted(
        str(pk) for pk in Opportunity.objects.filter(posting__isnull=False)
        .values_list("pk", flat=True)
    ),
}))
"""


def hirebridge(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hirebridge", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


def held(sandbox: str, resource: str) -> list[str]:
    """The keys the sandbox holds for one resource (all of them, paged)."""
    keys: list[str] = []
    while True:
        page = httpx.get(
            f"{sandbox}/_sandbox/records",
            params={"resource": resource, "start": len(keys), "count": 1000},
            timeout=10,
        ).json()
        keys += [element["key"] for element in page["elements"]]
        if len(keys) >= page["paging"]["total"] or not page["elements"]:
            return keys


def candidate_ids(keys: list[str], field: str) -> list[str]:
    return sorted(dict(p.split("=", 1) for p in key.split("&"))[field] for key in keys)


def test_a_backfill_killed_midway_resumes_and_lands_everything_once(process_env, tmp_path):
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen(
        [
            *(sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port)),
            *("--data-dir", str(tmp_path / "sandbox"), "--members", "200", "--seed", "3"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        **process_env,
        "LINKEDIN_API_BASE": sandbox_url,
        "LINKEDIN_OAUTH_BASE": sandbox_url,
        "LINKEDIN_RECORDS_PER_MINUTE": str(RECORDS_PER_MINUTE),
        "LINKEDIN_SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{sandbox_url}/_sandbox/tenant", timeout=2).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        for step in (
            ["migrate", "--no-input"],
            ["seed_demo", "--candidates", str(CANDIDATES), "--seed", "9"],
            [
                *("connect_sandbox", "--sandbox-url", sandbox_url),
                *("--public-url", "http://127.0.0.1:9", "--no-backfill"),
            ],
        ):
            done = hirebridge(env, *step)
            assert done.returncode == 0, f"{step[0]}: {done.stdout}{done.stderr}"
        expected = json.loads(hirebridge(env, "shell", "-c", IDS_SCRIPT).stdout.splitlines()[-1])

        first = subprocess.Popen(
            [sys.executable, "-m", "hirebridge", "linkedin", "sync", "--backfill"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while len(held(sandbox_url, "atsCandidates")) < 50 and time.monotonic() < deadline:
            assert first.poll() is None, "the backfill ended before it could be killed"
            time.sleep(0.2)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        landed_before = len(held(sandbox_url, "atsCandidates"))
        assert 0 < landed_before < len(expected["candidates"])

        time.sleep(LEASE_SECONDS + 1)  # the killed drainer's lease runs out
        ledger_before = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"limit": 10000})
        seen = ledger_before.json()["elements"][-1]["id"]
        second = hirebridge(env, "linkedin", "sync", "--backfill")
        assert second.returncode == 0, second.stdout + second.stderr

        candidates = candidate_ids(held(sandbox_url, "atsCandidates"), "atsCandidateId")
        assert candidates == expected["candidates"]
        applications = candidate_ids(held(sandbox_url, "atsApplications"), "atsJobApplicationId")
        assert applications == expected["applications"]
        # The rerun did not send again what the killed run had landed.
        rerun = httpx.get(
            f"{sandbox_url}/_sandbox/ledger",
            params={"since_id": seen, "path": "/v2/atsCandidates", "limit": 10000},
        ).json()["elements"]
        resent = sum(len(row["ids"]) for row in rerun if row["method"] == "PUT")
        assert resent <= len(expected["candidates"]) - landed_before + 100  # one batch in flight
    finally:
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(20)
