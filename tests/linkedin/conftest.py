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
