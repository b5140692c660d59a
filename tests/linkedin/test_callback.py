import hashlib
import hmac
import json

import pytest

from hirebridge.linkedin.models import EventStatus, InboundEvent, Integration

SECRET = "s3cr3t/with+odd=chars"


@pytest.fixture
def integration(db):
    integration = Integration(client_id="77abc", organization_urn="urn:li:organization:98765001")
    integration.client_secret = SECRET
    integration.save()
    return integration


def url(integration):
    return f"/linkedin/callback/{integration.callback_token}"


def body_signature(body: bytes) -> str:
    return hmac.new(SECRET.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()


def header_signature(body: bytes) -> str:
    return "hmacsha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def push(client, integration, payload, sign=body_signature):
    body = json.dumps(payload).encode()
    return client.post(
        url(integration),
        body,
        content_type="application/json",
        headers={"X-LI-Signature": sign(body)},
    )


def test_it_answers_linkedins_challenge_with_the_hmac_of_the_code(client, integration):
    reply = client.get(url(integration), {"challengeCode": "f3a1-42"})
    assert reply.status_code == 200
    expected = hmac.new(SECRET.encode(), b"f3a1-42", hashlib.sha256).hexdigest()
    assert reply.json() == {"challengeCode": "f3a1-42", "challengeResponse": expected}
    assert client.get(url(integration)).status_code == 400


@pytest.mark.parametrize("sign", [body_signature, header_signature])
def test_a_signed_push_is_stored_once_under_both_signature_readings(client, integration, sign):
    payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "123456789012345678"}
    assert push(client, integration, payload, sign).json() == {
        "requestId": "123456789012345678",
        "stored": True,
    }
    assert push(client, integration, payload, sign).json()["stored"] is False
    event = InboundEvent.objects.get()
    assert (event.type, event.status, event.payload) == (
        "EXPORT_CANDIDATE_PROFILE",
        EventStatus.NEW,
        payload,
    )


def test_a_bad_signature_is_refused_and_stores_nothing(client, integration, caplog):
    payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "1"}
    reply = push(client, integration, payload, sign=lambda body: "0" * 64)
    assert reply.status_code == 401
    unsigned = client.post(url(integration), json.dumps(payload), content_type="application/json")
    assert unsigned.status_code == 401
    assert not InboundEvent.objects.exists()
    assert "X-LI-Signature" in caplog.text


def test_an_unknown_callback_token_is_a_404(client, integration):
    assert client.get("/linkedin/callback/not-a-token", {"challengeCode": "x"}).status_code == 404


@pytest.mark.parametrize("payload", [["a list"], {"requestId": "1"}, {"type": "X"}, "text"])
def test_a_malformed_push_is_a_400(client, integration, payload):
    assert push(client, integration, payload).status_code == 400
    assert not InboundEvent.objects.exists()


def test_an_oversized_push_is_refused_before_it_is_read(client, integration):
    payload = {"type": "X", "requestId": "1", "padding": "x" * 70_000}
    assert push(client, integration, payload).status_code == 413


def test_the_client_secret_is_stored_encrypted(integration):
    stored = Integration.objects.values_list("client_secret_encrypted", flat=True).get()
    assert SECRET not in stored
    assert Integration.objects.get().client_secret == SECRET
