"""The poll schedule: windows from a committed cursor, one poll per stream, quota pauses."""

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hirebridge.hiring.models import Candidate
from hirebridge.linkedin import claims
from hirebridge.linkedin.client import DailyQuotaExceeded, Transient
from hirebridge.linkedin.inbound import streams, stubs
from hirebridge.linkedin.models import (
    Contract,
    Integration,
    IntegrationStatus,
    Seat,
    SyncCursor,
    SyncRun,
)
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import CONTRACT, SEAT

STREAMS = [f"mailStubs:{CONTRACT}", f"conversationEvents:{SEAT}", f"prospectNotes:{CONTRACT}"]


@pytest.fixture
def integration(tara):
    """Set up five minutes ago: its streams start there."""
    integration = data.make_integration(tara)
    Integration.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    integration.refresh_from_db()
    return integration


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def minutes_ago(minutes: float) -> int:
    return int(time.time() * 1000 - minutes * 60_000)


def cursor(name: str) -> SyncCursor:
    return SyncCursor.objects.get(stream=name)


def test_the_interval_is_the_setting_unless_the_daily_budget_needs_longer(settings):
    settings.LINKEDIN_POLL_SECONDS = 900
    assert streams.effective_poll_seconds(5) == 900
    settings.LINKEDIN_POLL_SECONDS = 1
    assert streams.effective_poll_seconds(5) == 8  # 86400 x 7 / 80,000 = 7.56
    assert streams.effective_poll_seconds(100) == 111  # 86400 x 102 / 80,000 = 110.16


def test_nothing_is_polled_without_an_integration(db, linkedin):
    assert streams.poll_due_streams() == 0
    assert linkedin.calls == []


def test_each_stream_polls_one_window_and_commits_its_cursor(linkedin, integration):
    linkedin.stubs = [data.stub(11, minutes_ago(1))]
    assert streams.poll_due_streams() == 3
    stub_calls = ["mailStubs", "conversationEvents", "prospectNotes"]  # with its thread, notes
    assert linkedin.calls == [*stub_calls, "conversationEvents", "prospectNotes"]
    assert Candidate.objects.count() == 1
    for name in STREAMS:
        run = cursor(name).runs.get()
        assert run.ok and run.window_end_ms == cursor(name).watermark_ms
        assert run.window_end_ms <= minutes_ago(0.5)
    assert cursor(STREAMS[0]).runs.get().counts == {"fetched": 1, "imported": 1}

    assert streams.poll_due_streams() == 0  # not due before the interval
    SyncRun.objects.update(started_at=timezone.now() - timedelta(seconds=901))
    assert streams.poll_due_streams() == 3
    assert Candidate.objects.count() == 1  # the overlap re-read the stub: nothing new


def test_a_stream_leased_to_another_worker_is_left_alone(linkedin, integration):
    streams.poll_due_streams()
    SyncRun.objects.update(started_at=timezone.now() - timedelta(days=1))
    claims.claim_cursor(cursor(STREAMS[1]).pk)
    assert streams.poll_due_streams() == 2
    assert cursor(STREAMS[1]).runs.count() == 1


def test_a_failed_window_keeps_the_cursor_and_says_why(linkedin, integration):
    linkedin.failure = Transient("GET /v2/mailStubs answered 503: down")
    streams.poll_due_streams()
    stub_cursor = cursor(STREAMS[0])
    run = stub_cursor.runs.get()
    assert (run.ok, run.error) == (False, "GET /v2/mailStubs answered 503: down")
    assert stub_cursor.last_error == run.error
    assert stub_cursor.watermark_ms == run.window_start_ms + streams.OVERLAP_MS
    assert stub_cursor.lease_until is None


def test_a_spent_daily_quota_pauses_the_stream_until_five_past_midnight(linkedin, integration):
    midnight = datetime.combine(timezone.now().date() + timedelta(days=1), datetime.min.time(), UTC)
    linkedin.failure = DailyQuotaExceeded(
        "429: Resource level throttle limit reached", resets_at=midnight
    )
    streams.poll_due_streams()
    paused = cursor(STREAMS[0])
    assert paused.paused_until == midnight + timedelta(minutes=5)
    assert paused.last_error.startswith(
        f"LinkedIn's daily quota is spent; paused until {midnight:%Y-%m-%d} 00:05 UTC"
    )

    linkedin.failure = None
    SyncRun.objects.update(started_at=timezone.now() - timedelta(days=1))
    assert streams.poll_due_streams() == 0
    SyncCursor.objects.update(paused_until=timezone.now() - timedelta(seconds=1))
    assert streams.poll_due_streams() == 3
    assert cursor(STREAMS[0]).paused_until is None


def test_a_worker_killed_mid_window_resumes_it_without_duplicates(
    linkedin, integration, monkeypatch
):
    linkedin.stubs = [data.stub(11, minutes_ago(1))]
    real_store = stubs.store

    def killed(*args):
        real_store(*args)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(stubs, "store", killed)
    streams.poll_due_streams()
    assert not Candidate.objects.exists()
    failed = cursor(STREAMS[0]).runs.get()
    assert (failed.ok, failed.error) == (False, "RuntimeError: worker killed")
    assert cursor(STREAMS[0]).watermark_ms == failed.window_start_ms + streams.OVERLAP_MS

    monkeypatch.setattr(stubs, "store", real_store)
    SyncRun.objects.update(started_at=timezone.now() - timedelta(days=1))
    streams.poll_due_streams()
    assert Candidate.objects.count() == 1
    assert cursor(STREAMS[0]).runs.filter(ok=True).count() == 1


def test_a_backlog_is_read_in_windows_of_at_most_twelve_hours(linkedin, integration):
    Integration.objects.update(created_at=timezone.now() - timedelta(days=2))
    linkedin.stubs = [data.stub(11, minutes_ago(30 * 60))]
    streams.poll_due_streams()
    runs = list(cursor(STREAMS[0]).runs.order_by("window_start_ms"))
    assert len(runs) == 5
    for earlier, later in itertools.pairwise(runs):
        assert later.window_start_ms == earlier.window_end_ms - streams.OVERLAP_MS
    assert all(r.window_end_ms - r.window_start_ms <= streams.WINDOW_MS for r in runs)
    assert runs[-1].window_end_ms == cursor(STREAMS[0]).watermark_ms
    assert Candidate.objects.count() == 1


def test_a_contract_whose_recruiter_data_is_switched_off_is_not_polled(linkedin, integration):
    IntegrationStatus.objects.create(
        integration=integration, integration_type="CSA_API", context_urn=CONTRACT, onboarded=False
    )
    assert streams.poll_due_streams() == 0


# Against the sandbox, over real HTTP.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_contract_of_another_organization_is_refused_and_the_others_go_on(
    rsc_sandbox, settings, tara, monkeypatch
):
    monkeypatch.setattr(streams, "SAFETY_LAG_MS", 0)
    integration = data.wire(rsc_sandbox, settings, {})
    foreign = Contract.objects.create(integration=integration, urn="urn:li:contract:70009999")
    Seat.objects.create(contract=foreign, urn="urn:li:seat:9000001", member_urn="urn:li:person:x")
    rita = rsc_sandbox.tenant["seats"][0]
    member = data.member_number(rsc_sandbox)
    sent = rsc_sandbox.admin(
        "POST",
        "actions/inmail",
        json={"seat_id": rita["id"], "member_id": member["id"], "subject": "Hi", "body": "A job?"},
    )
    rsc_sandbox.admin(
        "POST",
        "actions/inmail-response",
        json={
            "member_id": member["id"],
            "conversation_id": sent["conversation_id"],
            "answer": "yes_share",
        },
    )

    assert streams.poll_due_streams() == 12
    refused = SyncRun.objects.filter(cursor__stream__contains="9999").order_by("cursor__stream")
    assert [(r.ok, r.error.split(" answered ")[1][:3]) for r in refused] == [
        (False, "403"),
        (False, "403"),
    ]
    assert SyncRun.objects.get(cursor__stream="conversationEvents:urn:li:seat:9000001").ok is False
    assert Candidate.objects.get().linkedin_connection.person_urn == member["person"]
