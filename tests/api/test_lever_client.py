"""A Lever client written from Lever's Data API documentation alone, run against a live server:
if it works here, Lever tooling works with hirebridge with no more change than the base URL.

It knows only what Lever documents: Basic auth with the key as user name and an empty
password, the `{data, hasNext, next}` envelope with an opaque `next` token, stage ids read
from /stages, and webhook deliveries signed as hex(HMAC-SHA256(signatureToken, token +
triggeredAt)).
"""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from hirebridge.accounts.models import ApiKey
from hirebridge.webhooks import tasks
from hirebridge.webhooks.tasks import deliver as worker_delivery
from tests.factories import candidate

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class LeverClient:
    """The few calls an integration makes, shaped as Lever's docs describe them."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(base_url=f"{base_url}/v1", auth=(api_key, ""), timeout=10)

    def _data(self, response: httpx.Response, status: int) -> Any:
        assert response.status_code == status, (response.request.url, response.text)
        return response.json()["data"]

    def list_all(self, path: str, *, limit: int) -> Iterator[dict[str, Any]]:
        """Every row of a list, page by page, until `hasNext` is false."""
        params: dict[str, Any] = {"limit": limit}
        while True:
            response = self.http.get(path, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["data"]) <= limit
            yield from page["data"]
            if not page["hasNext"]:
                assert "next" not in page, "the last page names no next one"
                return
            params = {"limit": limit, "offset": page["next"]}

    def create_opportunity(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._data(self.http.post("/opportunities", json=body), 201)

    def change_stage(self, opportunity_id: str, stage_id: str) -> dict[str, Any]:
        response = self.http.put(f"/opportunities/{opportunity_id}/stage", json={"stage": stage_id})
        return self._data(response, 200)

    def add_note(self, opportunity_id: str, value: str) -> dict[str, Any]:
        response = self.http.post(f"/opportunities/{opportunity_id}/notes", json={"value": value})
        return self._data(response, 201)

    def create_webhook(self, url: str, event: str) -> dict[str, Any]:
        return self._data(self.http.post("/webhooks", json={"url": url, "event": event}), 201)


def lever_signature(signature_token: str, token: str, triggered_at: int) -> str:
    """How Lever's docs tell a receiver to check a delivery."""
    message = (token + str(triggered_at)).encode()
    return hmac.new(signature_token.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class Receiver:
    url: str = ""
    deliveries: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A webhook receiver on loopback, which hirebridge refuses unless told otherwise."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.deliveries.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/lever-hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def rung(monkeypatch) -> list[str]:
    """Delivery ids the web process hands the worker's queue, kept here for the test to run
    as the worker would."""
    ids: list[str] = []
    monkeypatch.setattr(tasks, "deliver", ids.append)
    return ids


@pytest.fixture
def lever(live_server, sam) -> Iterator[LeverClient]:
    _, key = ApiKey.objects.issue(sam, "lever client")
    client = LeverClient(live_server.url, key)
    yield client
    # A kept-alive connection would hold a server thread, and its database connection, open
    # past the test.
    client.http.close()


def test_a_lever_client_pages_writes_and_receives_signed_webhooks(
    lever, live_server, sam, tara, posting, receiver, rung
):
    for name in ("Ada Lovelace", "Bob Byte", "Cy Coder", "Dee Data", "Eve Eval"):
        candidate(tara, name, posting=posting)

    seen = [row["id"] for row in lever.list_all("/opportunities", limit=2)]
    assert len(seen) == 5
    assert len(set(seen)) == len(seen), "a page repeated an opportunity"

    created = lever.create_opportunity(
        {"name": "Grace Hopper", "emails": ["grace@example.com"], "postings": [str(posting.pk)]}
    )
    assert created["name"] == "Grace Hopper"
    assert created["emails"] == ["grace@example.com"]
    opportunity_id = created["id"]
    assert opportunity_id not in seen

    stages = [stage["id"] for stage in lever.list_all("/stages", limit=100)]
    first_move, second_move = stages[1], stages[-1]
    assert lever.change_stage(opportunity_id, first_move)["stage"] == first_move

    note = lever.add_note(opportunity_id, "Wrote the first compiler; call back Tuesday.")
    [note_field] = note["fields"]
    assert note_field["value"] == "Wrote the first compiler; call back Tuesday."

    hook = lever.create_webhook(receiver.url, "candidateStageChange")
    signature_token = hook["configuration"]["signatureToken"]
    assert signature_token

    lever.change_stage(opportunity_id, second_move)
    assert len(rung) == 1, "the stage change rang the worker once"
    worker_delivery.call_local(rung[0])

    [delivery] = receiver.deliveries
    assert delivery["event"] == "candidateStageChange"
    assert delivery["signature"] == lever_signature(
        signature_token, delivery["token"], delivery["triggeredAt"]
    )
    assert delivery["data"]["opportunityId"] == opportunity_id
    assert delivery["data"]["fromStageId"] == first_move
    assert delivery["data"]["toStageId"] == second_move
