"""A LinkedIn 1-click export makes a candidate that search finds, notes included."""

import pytest

from hirebridge.linkedin.inbound import events
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import BASE_MS, SEAT


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def test_an_exported_member_is_found(find, linkedin, tara, posting):
    integration = data.make_integration(tara)
    note = {"id": 31, "note": "Met at PyCon", "owner": SEAT, "createdAt": BASE_MS - 4000}
    linkedin.exports["900000000000000001"] = [data.exported(job=str(posting.id), notes=[note])]
    assert events.process_event(data.push(integration, "900000000000000001").pk)
    assert find("analytical engines") == ["Ada Lovelace"]
    assert find("pycon") == ["Ada Lovelace"]
