"""Pushes as the worker sees them: claimed, fetched, written once, retried, failed or dropped."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from hirebridge.hiring.models import Candidate, Message, Opportunity
from hirebridge.linkedin import claims, enablement, tasks
from hirebridge.linkedin.client import Transient
from hirebridge.linkedin.inbound import events, people
from hirebridge.linkedin.models import EventStatus, InboundEvent
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import BASE_MS, SEAT


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


@pytest.fixture
def rings(monkeypatch):
    """The doorbell, recorded instead of queued."""
    rung: list[int] = []
    monkeypatch.setattr(tasks, "process_event", rung.append)
    return rung


@pytest.fixture
def immediate_huey():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def signed_push(client, integration, payload):
    body = json.dumps(payload).encode()
    signature = hmac.new(b"secret", b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    return client.post(
        f"/linkedin/callback/{integration.callback_token}",
        body,
        content_type="application/json",
        headers={"X-LI-Signature": signature},
    )


def expire_lease(event):
    InboundEvent.objects.filter(pk=event.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )


def test_the_same_push_twice_makes_one_candidate_and_one_opportunity(
    client, linkedin, integration, rings, django_capture_on_commit_callbacks
):
    linkedin.exports["77"] = [data.exported(inmails=[data.inmail(1, SEAT, BASE_MS)])]
    payload = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "77"}
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_push(client, integration, payload).json()["stored"] is True
        assert signed_push(client, integration, payload).json()["stored"] is False
    event = InboundEvent.objects.get()
    assert rings == [event.pk]

    assert events.process_event(event.pk)
    assert not events.process_event(event.pk)
    assert (Candidate.objects.count(), Opportunity.objects.count(), Message.objects.count()) == (
        1,
        1,
        1,
    )


def test_an_export_not_readable_yet_is_retried_then_failed(linkedin, integration):
    event = data.push(integration)
    assert events.process_event(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.NEW and "nothing for request" in event.last_error
    assert event.lease_until > timezone.now() + timedelta(seconds=10)
    assert claims.due_event_ids() == []

    InboundEvent.objects.filter(pk=event.pk).update(attempts=events.MAX_ATTEMPTS - 1)
    expire_lease(event)
    assert events.process_event(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    assert event.last_error.startswith(f"gave up after {events.MAX_ATTEMPTS} attempts")


def test_linkedin_failing_leaves_the_event_for_a_retry(linkedin, integration):
    linkedin.failure = Transient("GET /v2/exportedCandidates answered 503: down")
    event = data.push(integration)
    events.process_event(event.pk)
    event.refresh_from_db()
    assert (event.status, event.attempts) == (EventStatus.NEW, 1)
    assert "503" in event.last_error

    linkedin.failure = None
    linkedin.exports[event.request_id] = [data.exported()]
    expire_lease(event)
    assert events.process_event(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.DONE and Candidate.objects.count() == 1


def test_a_killed_worker_is_made_good_by_the_sweeper_without_duplicates(
    linkedin, integration, monkeypatch, immediate_huey
):
    linkedin.exports["1"] = [data.exported(inmails=[data.inmail(1, SEAT, BASE_MS)])]
    event = data.push(integration, "1")
    assert claims.claim_event(event.pk) is not None  # a worker takes it and dies
    tasks.sweep_events.call_local()
    assert InboundEvent.objects.get().status == EventStatus.NEW  # its lease still holds

    real_import = people.import_notes

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed mid-write")

    monkeypatch.setattr(people, "import_notes", killed)
    expire_lease(event)
    tasks.sweep_events.call_local()
    assert not Candidate.objects.exists() and not Message.objects.exists()

    monkeypatch.setattr(people, "import_notes", real_import)
    expire_lease(event)
    tasks.sweep_events.call_local()
    event.refresh_from_db()
    assert (event.status, event.attempts) == (EventStatus.DONE, 3)
    assert (Candidate.objects.count(), Opportunity.objects.count(), Message.objects.count()) == (
        1,
        1,
        1,
    )


def test_an_unknown_push_type_is_kept_as_failed(integration):
    event = InboundEvent.objects.create(
        integration=integration, request_id="5", type="SOMETHING_NEW", payload={}
    )
    events.process_event(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    assert event.last_error == "type: 'SOMETHING_NEW' is not a push hirebridge handles"


def test_a_status_change_is_applied_through_enablement(integration, monkeypatch):
    applied = []
    monkeypatch.setattr(
        enablement, "apply_status_change", lambda i, request_id: applied.append(request_id)
    )
    event = InboundEvent.objects.create(
        integration=integration, request_id="6", type="INTEGRATION_STATUS_CHANGE", payload={}
    )
    assert events.process_event(event.pk)
    event.refresh_from_db()
    assert applied == ["6"] and event.status == EventStatus.DONE


# Against the sandbox: a real push to a live callback URL.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sandbox_push_reaches_the_callback_and_is_processed_once(
    rsc_sandbox, live_server, settings, tara, rings, client
):
    rita = rsc_sandbox.tenant["seats"][0]
    integration = data.wire(rsc_sandbox, settings, {rita["id"]: tara})
    enablement.register(integration, live_server.url)
    member = data.member_number(rsc_sandbox)
    exported = rsc_sandbox.admin(
        "POST", "actions/export", json={"seat_id": rita["id"], "member_id": member["id"]}
    )

    deadline = time.monotonic() + 20
    while not rings and time.monotonic() < deadline:
        time.sleep(0.1)
    event = InboundEvent.objects.get()
    assert (event.request_id, rings) == (exported["request_id"], [event.pk])
    assert events.process_event(event.pk)

    sent = rsc_sandbox.admin("GET", "deliveries", params={"request_id": event.request_id})
    delivery = sent["elements"][0]
    again = client.post(
        f"/linkedin/callback/{integration.callback_token}",
        json.dumps(delivery["body"], separators=(",", ":")),
        content_type="application/json",
        headers={"X-LI-Signature": delivery["signature"]},
    )
    assert again.json() == {"requestId": event.request_id, "stored": False}
    assert rings == [event.pk]
    person = Candidate.objects.get()
    assert person.linkedin_connection.person_urn == member["person"]
    assert person.opportunities.get().posting is None
