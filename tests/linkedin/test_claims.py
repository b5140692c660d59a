from datetime import timedelta

import pytest
from django.utils import timezone

from hirebridge.linkedin import claims
from hirebridge.linkedin.models import EventStatus, InboundEvent, Integration, SyncCursor


@pytest.fixture
def integration(db):
    integration = Integration(client_id="77abc", organization_urn="urn:li:organization:1")
    integration.client_secret = "secret"
    integration.save()
    return integration


def event(integration, request_id="1", **fields):
    return InboundEvent.objects.create(
        integration=integration,
        request_id=request_id,
        type="EXPORT_CANDIDATE_PROFILE",
        payload={},
        **fields,
    )


def test_only_one_claimant_gets_an_event(integration):
    pushed = event(integration)
    first = claims.claim_event(pushed.pk)
    assert first is not None and first.attempts == 1
    assert claims.claim_event(pushed.pk) is None
    assert claims.due_event_ids() == []


def test_an_expired_lease_can_be_claimed_again(integration):
    pushed = event(integration, lease_until=timezone.now() - timedelta(seconds=1), attempts=1)
    assert claims.due_event_ids() == [pushed.pk]
    assert claims.claim_event(pushed.pk).attempts == 2


def test_done_and_failed_events_are_never_claimed(integration):
    done = event(integration, "1", status=EventStatus.DONE)
    failed = event(integration, "2", status=EventStatus.FAILED)
    assert claims.claim_event(done.pk) is None
    assert claims.claim_event(failed.pk) is None
    assert claims.due_event_ids() == []


def test_one_poll_per_stream_and_none_while_paused(integration):
    cursor = SyncCursor.objects.create(
        integration=integration, stream="mailStubs:urn:li:contract:1"
    )
    assert claims.claim_cursor(cursor.pk) is not None
    assert claims.claim_cursor(cursor.pk) is None
    claims.release_cursor(cursor)
    SyncCursor.objects.filter(pk=cursor.pk).update(paused_until=timezone.now() + timedelta(hours=1))
    assert claims.claim_cursor(cursor.pk) is None
