import hashlib
import hmac
import json
import threading
from unittest import mock

import pytest
from cryptography.fernet import MultiFernet
from django.db import connection
from django.test import Client

from hirebridge.linkedin import secrets, tasks
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


def signed_with(secret):
    return lambda body: hmac.new(secret.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()


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


@pytest.fixture
def rings(monkeypatch):
    """The worker's doorbell, recorded instead of queued."""
    rung: list[int] = []
    monkeypatch.setattr(tasks, "process_event", rung.append)
    return rung


def test_a_push_costs_one_lookup_and_one_insert_new_or_repeated(
    client, integration, django_assert_num_queries
):
    payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "42"}
    with django_assert_num_queries(2):
        assert push(client, integration, payload).json()["stored"] is True
    with django_assert_num_queries(2):
        assert push(client, integration, payload).json()["stored"] is False


def test_the_worker_is_rung_after_the_commit_and_only_for_a_new_push(
    client, integration, rings, django_capture_on_commit_callbacks
):
    payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "42"}
    with django_capture_on_commit_callbacks() as callbacks:
        push(client, integration, payload)
        push(client, integration, payload)
    assert rings == [] and len(callbacks) == 1
    callbacks[0]()
    assert rings == [InboundEvent.objects.get().pk]


def test_a_client_secret_entered_again_signs_the_very_next_push(client, integration):
    first = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "1"}
    assert push(client, integration, first).status_code == 200
    integration.client_secret = "a-new-secret"
    integration.save()
    second = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "2"}
    assert push(client, integration, second).status_code == 401
    assert push(client, integration, second, sign=signed_with("a-new-secret")).status_code == 200
    assert list(InboundEvent.objects.values_list("request_id", flat=True)) == ["1", "2"]


def test_the_client_secret_is_decrypted_once_not_on_every_push(client, integration):
    secrets._decrypt.cache_clear()
    with mock.patch.object(
        MultiFernet, "decrypt", autospec=True, side_effect=MultiFernet.decrypt
    ) as decrypt:
        for request_id in "123":
            payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": request_id}
            assert push(client, integration, payload).status_code == 200
    assert decrypt.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_deliveries_of_one_push_at_the_same_moment_store_one_row(integration):
    payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "same"}
    start = threading.Barrier(6)
    answers: list[dict] = []

    def deliver():
        try:
            start.wait()
            answers.append(push(Client(), integration, payload).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer["stored"] for answer in answers) == [False] * 5 + [True]
    assert InboundEvent.objects.count() == 1
