"""The LinkedIn sandbox over real HTTP: uvicorn in a thread on a free port, a fresh data
directory per test. Only tests import `sandbox`; hirebridge meets it over HTTP alone."""

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from hirebridge.linkedin.models import Integration
from sandbox.app import create_app
from sandbox.config import Settings

START_SECONDS = 20


@dataclass(frozen=True)
class RunningSandbox:
    url: str
    tenant: dict[str, Any]

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the sandbox's own `/_sandbox/` API and return its JSON (refused → test fails)."""
        reply = httpx.request(method, f"{self.url}/_sandbox/{path}", timeout=10, **kwargs)
        assert reply.is_success, f"{method} /_sandbox/{path}: {reply.status_code} {reply.text}"
        return reply.json()


@pytest.fixture
def rsc_sandbox(tmp_path) -> Iterator[RunningSandbox]:
    """A seeded sandbox (300 members, onboarded integrations) answering on 127.0.0.1."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(data_dir=tmp_path / "sandbox", members=300, seed=7, public_url=url)
    config = uvicorn.Config(create_app(settings), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert server.started, "the sandbox did not start"
        tenant = httpx.get(f"{url}/_sandbox/tenant", timeout=10).json()
        yield RunningSandbox(url, tenant)
    finally:
        server.should_exit = True
        thread.join(START_SECONDS)
        sock.close()


@dataclass(frozen=True)
class Linked:
    sandbox: RunningSandbox
    integration: Integration

    def records(self, resource: str) -> dict[str, dict[str, Any]]:
        """The sandbox's stored records of one resource, keyed by their ATS id."""
        found: dict[str, dict[str, Any]] = {}
        start = 0
        while True:
            page = self.sandbox.admin(
                "GET", "records", params={"resource": resource, "start": start, "count": 1000}
            )
            for element in page["elements"]:
                found[ats_id(element["key"])] = element
            start += len(page["elements"])
            if start >= page["paging"]["total"] or not page["elements"]:
                return found


def ats_id(key: str) -> str:
    """The ATS's own id in a stored key: a child's simple id after its parent's key, or the id
    field of a complex key ("atsCandidateId=…&dataProvider=ATS&…")."""
    if "/" in key:
        return key.rsplit("/", 1)[1]
    if "=" not in key:
        return key  # a job: its externalJobPostingId
    fields = dict(part.split("=", 1) for part in key.split("&"))
    for name in ("atsCandidateId", "atsJobApplicationId", "externalJobPostingId"):
        if name in fields:
            return fields[name]
    return key


@pytest.fixture
def outbound(rsc_sandbox, settings, db) -> Linked:
    """An ATS whose LinkedIn integration is the sandbox's customer application."""
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    settings.LINKEDIN_JOB_TASK_CHECK_SECONDS = 0
    app = rsc_sandbox.tenant["customer_app"]
    integration = Integration(
        client_id=app["client_id"], organization_urn=rsc_sandbox.tenant["organization_id"]
    )
    integration.client_secret = app["client_secret"]
    integration.save()
    return Linked(rsc_sandbox, integration)
