"""What one 1-click export costs the worker: a new member's candidate is queued for LinkedIn
once, in the unit of work that creates it, and the worker is rung once for it."""

import pytest

from hirebridge.linkedin import outbox
from hirebridge.linkedin.inbound import events
from hirebridge.linkedin.models import OutboxItem, ProfileConnection
from tests.linkedin import inbound_data as data


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def test_a_new_members_export_queues_the_candidate_once_and_rings_once(
    linkedin, tara, posting, django_capture_on_commit_callbacks
):
    integration = data.make_integration(tara)
    linkedin.exports["1"] = [data.exported(job=str(posting.id))]
    event = data.push(integration, "1")

    with django_capture_on_commit_callbacks() as callbacks:
        assert events.process_event(event.pk)

    connection = ProfileConnection.objects.get()
    queued = OutboxItem.objects.filter(kind="candidate", entity_id=str(connection.candidate_id))
    assert queued.count() == 1
    assert [c for c in callbacks if c is outbox._ring] == [outbox._ring]
