"""A local receiver that answers as scripted and records what it was sent."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hirebridge.webhooks.models import CreatedVia, Webhook
from tests.api.conftest import api_client, roomy_rate_limit  # noqa: F401 (fixtures)


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # status codes in turn; then 200
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)  # set on each request
    release: threading.Event | None = None  # when set, answers wait for it


@pytest.fixture
def allow_loopback(settings):
    """The receivers below listen on 127.0.0.1, which production refuses."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def receiver(allow_loopback) -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.arrived.set()
            if state.release is not None:
                state.release.wait(timeout=10)
            with lock:
                state.received.append(body)
                state.headers.append(dict(self.headers))
                status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


def hook(event: str, url: str, *, origins=(), via=CreatedVia.API, user=None) -> Webhook:
    return Webhook.objects.create(
        event=event,
        url=url,
        conditions={"origins": list(origins)} if origins else {},
        created_via=via,
        created_by=user,
    )
