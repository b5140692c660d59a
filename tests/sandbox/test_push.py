"""Pushes to a real HTTP receiver on loopback: challenge, signature, retries, blocking, faults."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from sandbox import faults, push, state
from sandbox.app import create_app
from sandbox.config import Settings
from tests.sandbox.conftest import ORG, Tenant, make_tenant

CALLBACK_CONFIG = (
    f"/v2/atsIntegrations/integrationContext={ORG}&integrationType=ONE_CLICK_EXPORT"
    "&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL"
)


def hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Receiver:
    """An ATS callback endpoint: answers LinkedIn's challenge (or fails it as told), checks the
    signature of each push (either reading), and answers pushes with the statuses queued."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.challenge_mode = "right"  # right | wrong | error | slow
        self.push_statuses: list[int] = []
        self.events: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                receiver.challenge(self)

            def do_POST(self) -> None:
                receiver.push(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/li/callback"

    def answer(self, handler, status: int, body: dict | None = None) -> None:
        payload = json.dumps(body or {}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def challenge(self, handler) -> None:
        query = dict(parse_qsl(urlsplit(handler.path).query))
        self.events.append({"kind": "challenge", **query})
        if self.challenge_mode == "error":
            self.answer(handler, 503)
            return
        if self.challenge_mode == "slow":
            time.sleep(0.6)
        secret = self.secret if self.challenge_mode != "wrong" else "not the secret"
        code = query["challengeCode"]
        self.answer(
            handler,
            200,
            {"challengeCode": code, "challengeResponse": hex_hmac(secret, code.encode())},
        )

    def push(self, handler) -> None:
        raw = handler.rfile.read(int(handler.headers["Content-Length"]))
        signature = handler.headers.get("X-LI-Signature", "")
        valid = signature in (
            hex_hmac(self.secret, b"hmacsha256=" + raw),
            "hmacsha256=" + hex_hmac(self.secret, raw),
        )
        event = {"kind": "push", "raw": raw, "signature": signature, "valid": valid}
        self.events.append({**event, **json.loads(raw)})
        status = self.push_statuses.pop(0) if self.push_statuses else 200
        self.answer(handler, status if valid else 401)

    @property
    def pushes(self) -> list[dict]:
        return [e for e in self.events if e["kind"] == "push"]

    @property
    def challenges(self) -> list[dict]:
        return [e for e in self.events if e["kind"] == "challenge"]


@pytest.fixture
def receiver(tenant):
    listening = Receiver(tenant.info["customer_app"]["client_secret"])
    yield listening
    listening.server.shutdown()
    listening.server.server_close()


def point_callback(tenant, url: str) -> None:
    reply = tenant.client.put(
        CALLBACK_CONFIG,
        json={"entities": {"CALLBACK_URL": {"configurationValue": {"string": url}}}},
        headers={**tenant.auth(), "X-RestLi-Method": "batch_update"},
    )
    assert reply.json()["errors"] == {}, reply.text


def export(tenant, member_id: int = 100) -> str:
    reply = tenant.client.post(
        "/_sandbox/actions/export", json={"seat_id": "urn:li:seat:5000001", "member_id": member_id}
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["request_id"]


def deliver(tenant) -> int:
    return push.deliver_due(tenant.client.app.state.sandbox)


def deliveries(tenant, **query) -> list[dict]:
    return tenant.client.get("/_sandbox/deliveries", params=query).json()["elements"]


def check_of(tenant, url: str) -> dict:
    checks = tenant.client.get("/_sandbox/deliveries").json()["callback_checks"]
    return next(c for c in checks if c["url"] == url)


def update_state(tenant, **patch) -> None:
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        state.update(conn, patch)


def set_push_faults(tenant, seed: int = 0, **rates) -> None:
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        faults.save(conn, {"seed": seed, "push": rates})


def test_it_challenges_the_url_then_pushes_a_signed_notification(tenant, receiver):
    point_callback(tenant, receiver.url)
    request_id = export(tenant)
    assert deliver(tenant) == 2
    challenge, pushed = receiver.events
    assert challenge["kind"] == "challenge"
    assert challenge["applicationId"] == tenant.info["customer_app"]["client_id"]
    assert pushed["kind"] == "push" and pushed["valid"]
    assert json.loads(pushed["raw"]) == {
        "type": "EXPORT_CANDIDATE_PROFILE",
        "requestId": request_id,
        "integrationContext": ORG,
        "createdAt": tenant.clock.current,
    }
    secret = tenant.info["customer_app"]["client_secret"]
    assert pushed["signature"] == hex_hmac(secret, b"hmacsha256=" + pushed["raw"])
    [delivery] = deliveries(tenant, request_id=request_id)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1


def test_the_header_prefix_reading_signs_the_bare_body(tenant, receiver):
    update_state(tenant, push_signature="header_prefix")
    point_callback(tenant, receiver.url)
    export(tenant)
    deliver(tenant)
    [pushed] = receiver.pushes
    secret = tenant.info["customer_app"]["client_secret"]
    assert pushed["signature"] == "hmacsha256=" + hex_hmac(secret, pushed["raw"])


def test_setting_the_callback_url_challenges_it_at_once(tenant, receiver):
    point_callback(tenant, receiver.url)
    assert deliver(tenant) == 1
    assert len(receiver.challenges) == 1
    assert check_of(tenant, receiver.url)["validated_at"] == tenant.clock.current


def test_an_integration_status_change_is_pushed_to_the_organizations_url(tenant, receiver):
    point_callback(tenant, receiver.url)
    changed = tenant.client.post(
        "/_sandbox/actions/disable-integration", json={"integration_type": "CSA_API"}
    ).json()
    deliver(tenant)
    [pushed] = receiver.pushes
    assert pushed["type"] == "INTEGRATION_STATUS_CHANGE"
    assert pushed["requestId"] == changed["request_id"]
    assert pushed["integrationContext"] == "urn:li:contract:70001001"


def test_without_a_callback_url_the_push_is_recorded_not_sent(tenant):
    request_id = export(tenant)
    assert deliver(tenant) == 0
    [delivery] = deliveries(tenant, request_id=request_id)
    assert delivery["status"] == "no_callback" and delivery["url"] is None


def test_failed_pushes_are_retried_with_backoff(tenant, receiver):
    point_callback(tenant, receiver.url)
    receiver.push_statuses = [500, 503]
    request_id = export(tenant)
    deliver(tenant)
    assert deliver(tenant) == 0  # not due yet
    tenant.clock.advance(push.RETRY_BASE_MS / 1000)
    deliver(tenant)
    tenant.clock.advance(2 * push.RETRY_BASE_MS / 1000 - 1)
    assert deliver(tenant) == 0
    tenant.clock.advance(1)
    deliver(tenant)
    assert [p["requestId"] for p in receiver.pushes] == [request_id] * 3
    [delivery] = deliveries(tenant, request_id=request_id)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3


def test_it_gives_up_after_six_attempts(tenant, receiver):
    point_callback(tenant, receiver.url)
    receiver.push_statuses = [500] * 10
    request_id = export(tenant)
    for _ in range(10):
        deliver(tenant)
        tenant.clock.advance(3600)
    assert len(receiver.pushes) == push.MAX_ATTEMPTS
    [delivery] = deliveries(tenant, request_id=request_id)
    assert delivery["status"] == "failed" and delivery["response_status"] == 500


def test_a_url_failing_three_challenges_in_a_row_is_blocked_until_set_again(tenant, receiver):
    receiver.challenge_mode = "wrong"
    point_callback(tenant, receiver.url)
    first = export(tenant)
    for _ in range(push.BLOCK_AFTER_FAILURES):
        deliver(tenant)
        assert receiver.pushes == []
        tenant.clock.advance(push.CHECK_RETRY_MS / 1000)
    deliver(tenant)
    check = check_of(tenant, receiver.url)
    assert check["blocked"] and check["consecutive_failures"] == 3
    assert "challengeResponse" in check["last_error"]
    second = export(tenant)
    tenant.clock.advance(3 * 3600)
    deliver(tenant)
    assert len(receiver.challenges) == 3 and receiver.pushes == []
    assert {d["status"] for d in deliveries(tenant)} == {"blocked"}

    receiver.challenge_mode = "right"
    point_callback(tenant, receiver.url)
    third = export(tenant)
    deliver(tenant)
    assert [p["requestId"] for p in receiver.pushes] == [third]
    assert {first, second}.isdisjoint(p["requestId"] for p in receiver.pushes)


def test_a_challenge_answered_with_an_error_or_too_late_fails(tenant, receiver):
    tenant.client.app.state.sandbox.settings.push_timeout_seconds = 0.3
    for mode, words in (("error", "HTTP 503"), ("slow", "Timeout")):
        receiver.challenge_mode = mode
        point_callback(tenant, receiver.url)
        deliver(tenant)
        check = check_of(tenant, receiver.url)
        assert check["validated_at"] is None and words in check["last_error"]


def test_it_challenges_the_url_again_every_two_hours(tenant, receiver):
    point_callback(tenant, receiver.url)
    deliver(tenant)
    tenant.clock.advance(3600)
    export(tenant)
    deliver(tenant)
    assert len(receiver.challenges) == 1 and len(receiver.pushes) == 1
    tenant.clock.advance(3600)
    export(tenant)
    deliver(tenant)
    assert len(receiver.challenges) == 2 and len(receiver.pushes) == 2


def test_the_background_pusher_delivers_without_being_asked(tmp_path):
    """The pusher thread runs while the server does (its lifespan) and stops with it."""
    settings = Settings(data_dir=tmp_path, members=150, seed=7, push_in_background=True)
    receiver = None
    with TestClient(create_app(settings)) as client:
        with client.app.state.sandbox.db.reading() as conn:
            child = conn.execute("SELECT * FROM apps WHERE kind = 'child'").fetchone()
        info = {
            "customer_app": {
                "client_id": child["client_id"],
                "client_secret": child["client_secret"],
            }
        }
        tenant = Tenant(client, client.app.state.sandbox.clock, info)
        receiver = Receiver(child["client_secret"])
        try:
            point_callback(tenant, receiver.url)
            request_id = export(tenant)
            deadline = time.monotonic() + 10
            while not receiver.pushes and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [p["requestId"] for p in receiver.pushes] == [request_id]
        finally:
            receiver.server.shutdown()
            receiver.server.server_close()
    assert not [t for t in threading.enumerate() if t.name == "rsc-pusher" and t.is_alive()]


# Push faults (sandbox.faults): seeded, so the same configuration replays the same run.


def test_duplicate_pushes_carry_the_same_request_id(tenant, receiver):
    set_push_faults(tenant, duplicate=1.0)
    point_callback(tenant, receiver.url)
    request_id = export(tenant)
    deliver(tenant)
    assert [p["requestId"] for p in receiver.pushes] == [request_id, request_id]
    assert sorted(d["fault"] or "" for d in deliveries(tenant)) == ["", "duplicate"]


def test_a_dropped_push_is_lost_in_transit_once_then_sent_again(tenant, receiver):
    set_push_faults(tenant, drop=1.0)
    point_callback(tenant, receiver.url)
    request_id = export(tenant)
    deliver(tenant)
    assert receiver.pushes == []
    [lost] = deliveries(tenant)
    assert (lost["status"], lost["attempts"], lost["response_status"]) == ("pending", 1, None)
    assert lost["last_error"] == "lost in transit: no answer"
    tenant.clock.advance(push.RETRY_BASE_MS / 1000)
    deliver(tenant)
    assert [(p["requestId"], p["valid"]) for p in receiver.pushes] == [(request_id, True)]
    [delivered] = deliveries(tenant)
    assert (delivered["status"], delivered["attempts"]) == ("delivered", 2)
    assert delivered["fault"] == "drop"


def test_a_bad_signature_spoils_the_first_attempt_only(tenant, receiver):
    set_push_faults(tenant, bad_signature=1.0)
    point_callback(tenant, receiver.url)
    export(tenant)
    deliver(tenant)
    tenant.clock.advance(push.RETRY_BASE_MS / 1000)
    deliver(tenant)
    assert [p["valid"] for p in receiver.pushes] == [False, True]
    [delivery] = deliveries(tenant)
    assert delivery["status"] == "delivered" and delivery["fault"] == "bad_signature"


def test_delayed_pushes_wait(tenant, receiver):
    set_push_faults(tenant, delay_ms=2000)
    point_callback(tenant, receiver.url)
    export(tenant)
    deliver(tenant)
    assert receiver.pushes == []
    tenant.clock.advance(2)
    deliver(tenant)
    assert len(receiver.pushes) == 1


def test_reordered_pushes_arrive_out_of_order(tenant, receiver):
    set_push_faults(tenant, reorder=1.0)
    point_callback(tenant, receiver.url)
    sent = [export(tenant, member_id) for member_id in range(100, 106)]
    deliver(tenant)
    assert receiver.pushes == []
    tenant.clock.advance(push.REORDER_WINDOW_MS / 1000)
    deliver(tenant)
    received = [p["requestId"] for p in receiver.pushes]
    assert sorted(received) == sorted(sent) and received != sent


def test_an_early_push_comes_before_its_data_is_readable(tenant, receiver):
    set_push_faults(tenant, early=1.0, early_ms=3000)
    point_callback(tenant, receiver.url)
    request_id = export(tenant)
    deliver(tenant)
    assert [p["requestId"] for p in receiver.pushes] == [request_id]
    finder = f"/v2/exportedCandidates?q=request&requestId={request_id}"
    assert tenant.client.get(finder, headers=tenant.auth()).json()["elements"] == []
    tenant.clock.advance(3)
    assert len(tenant.client.get(finder, headers=tenant.auth()).json()["elements"]) == 1


def test_the_same_fault_seed_replays_the_same_decisions(tmp_path):
    runs = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        tenant = make_tenant(tmp_path / name, members=150)
        set_push_faults(tenant, seed=42, duplicate=0.5, drop=0.3, reorder=0.5)
        point_callback(tenant, "https://ats.example.com/li/" + name)
        for member_id in range(100, 112):
            export(tenant, member_id)
        runs.append([(d["fault"], d["status"], d["due_at"]) for d in deliveries(tenant)])
    assert runs[0] == runs[1]
    assert len({fault for fault, _, _ in runs[0]}) > 2
