"""InMail stub profiles: "Yes, please share" makes a candidate with a general opportunity."""

import pytest
from django.db import transaction

from hirebridge.hiring.models import Candidate, Message, Note, Opportunity
from hirebridge.hiring.models.stages import LEAD_NEW
from hirebridge.linkedin.inbound import events, streams, stubs
from hirebridge.linkedin.models import ProfileConnection, SyncRun
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import ADA, BASE_MS, CONTRACT, OTHER_SEAT, SEAT


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    fake.events = [data.event(1, SEAT, BASE_MS - 60_000), data.event(2, ADA, BASE_MS)]
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def poll_stubs(linkedin, integration, seats=(SEAT,)):
    with transaction.atomic():
        return stubs.store(integration, stubs.fetch(linkedin, CONTRACT, list(seats), 0, 2**62))


def test_a_shared_profile_becomes_a_candidate_with_a_general_opportunity(
    linkedin, integration, tara
):
    linkedin.stubs = [data.stub(11, BASE_MS)]
    linkedin.notes = [
        data.note(21, BASE_MS - 5),
        data.note(22, BASE_MS - 5, active=False),
        data.note(23, BASE_MS - 5, member="urn:li:person:someone-else"),
    ]
    tally = poll_stubs(linkedin, integration)

    assert (dict(tally.counts), tally.errors) == ({"imported": 1}, [])
    person = Candidate.objects.get()
    assert (person.name, person.location) == ("Ada Lovelace", "London, United Kingdom")
    assert [e.email for e in person.emails.all()] == ["ada.shared@example.com"]
    assert [p.value for p in person.phones.all()] == ["+1 555 0100"]
    assert person.linkedin_connection.person_urn == ADA
    opportunity = person.opportunities.get()
    assert (opportunity.posting, opportunity.stage_id, opportunity.owner) == (None, LEAD_NEW, tara)
    assert sorted(m.direction for m in opportunity.messages.all()) == ["in", "out"]
    assert [n.external_id for n in opportunity.notes.all()] == ["21"]


def test_a_connected_candidate_gets_a_second_general_opportunity_with_the_inmails(
    linkedin, integration, posting
):
    linkedin.exports["1"] = [data.exported(job=str(posting.id))]
    events.process_event(data.push(integration, "1").pk)
    linkedin.stubs = [data.stub(11, BASE_MS)]
    poll_stubs(linkedin, integration)

    person = Candidate.objects.get()
    on_posting, general = person.opportunities.order_by("created_at")
    assert (on_posting.posting, general.posting, general.stage_id) == (posting, None, LEAD_NEW)
    assert general.messages.count() == 2 and not on_posting.messages.exists()
    assert {e.email for e in person.emails.all()} == {"ada@example.com", "ada.shared@example.com"}
    assert [p.value for p in person.phones.all()] == ["+1 555 0100"]


def test_an_active_general_opportunity_is_reused_and_a_stub_read_twice_changes_nothing(
    linkedin, integration
):
    linkedin.exports["1"] = [data.exported()]
    events.process_event(data.push(integration, "1").pk)
    linkedin.stubs = [data.stub(11, BASE_MS)]
    poll_stubs(linkedin, integration)
    poll_stubs(linkedin, integration)

    assert Opportunity.objects.count() == 1
    assert (Message.objects.count(), ProfileConnection.objects.count()) == (2, 1)
    assert Candidate.objects.get().phones.count() == 1


def test_a_stub_of_a_seat_that_is_not_ours_is_skipped(linkedin, integration):
    linkedin.stubs = [data.stub(11, BASE_MS, owner=OTHER_SEAT)]
    tally = poll_stubs(linkedin, integration, seats=(SEAT, OTHER_SEAT))
    assert dict(tally.counts) == {"skipped": 1}
    assert not Candidate.objects.exists()


def test_a_malformed_stub_is_recorded_and_the_others_are_imported(linkedin, integration):
    linkedin.stubs = [
        data.stub(11, BASE_MS, emailAddress="not-an-email"),
        data.stub(12, BASE_MS, member="urn:li:person:grace1", profileUrl=None, emailAddress=None),
    ]
    tally = poll_stubs(linkedin, integration)
    assert tally.counts == {"failed": 1, "imported": 1}
    assert tally.errors == ["mailStub 11: emailAddresses: 'not-an-email' is not an email address"]
    assert ProfileConnection.objects.get().person_urn == "urn:li:person:grace1"
    assert not Note.objects.exists()


# Against the sandbox, over real HTTP.


@pytest.fixture
def wired(rsc_sandbox, settings, tara, monkeypatch):
    monkeypatch.setattr("hirebridge.linkedin.inbound.streams.SAFETY_LAG_MS", 0)
    monkeypatch.setattr("hirebridge.linkedin.inbound.streams.effective_poll_seconds", lambda n: 0)
    rita = rsc_sandbox.tenant["seats"][0]
    return data.wire(rsc_sandbox, settings, {rita["id"]: tara}), rita


def inmail_and_answer(sandbox, rita, member, answer, **shared):
    sent = sandbox.admin(
        "POST",
        "actions/inmail",
        json={"seat_id": rita["id"], "member_id": member["id"], "subject": "Hi", "body": "A job?"},
    )
    sandbox.admin(
        "POST",
        "actions/inmail-response",
        json={
            "member_id": member["id"],
            "conversation_id": sent["conversation_id"],
            "answer": answer,
            **shared,
        },
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_yes_share_in_the_sandbox_makes_a_candidate_with_email_and_phone(rsc_sandbox, wired):
    _, rita = wired
    member = data.member_number(rsc_sandbox)
    inmail_and_answer(
        rsc_sandbox, rita, member, "yes_share", email="shared@example.com", phone="+1 555 0199"
    )
    streams.poll_due_streams()

    person = Candidate.objects.get()
    assert person.name == f"{member['firstName']} {member['lastName']}"
    assert [e.email for e in person.emails.all()] == ["shared@example.com"]
    assert [p.value for p in person.phones.all()] == ["+1 555 0199"]
    general = person.opportunities.get()
    assert (general.posting, general.stage_id) == (None, LEAD_NEW)
    assert general.messages.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_yes_share_of_a_connected_candidate_adds_a_second_general_opportunity(
    rsc_sandbox, wired, posting
):
    integration, rita = wired
    data.sync_job(rsc_sandbox, integration, str(posting.id), posting.title)
    member = data.member_number(rsc_sandbox)
    exported = rsc_sandbox.admin(
        "POST",
        "actions/export",
        json={
            "seat_id": rita["id"],
            "member_id": member["id"],
            "external_job_posting_id": str(posting.id),
        },
    )
    events.process_event(data.push(integration, exported["request_id"]).pk)
    inmail_and_answer(rsc_sandbox, rita, member, "yes_share")
    streams.poll_due_streams()

    person = Candidate.objects.get()
    on_posting, general = person.opportunities.order_by("created_at")
    assert (on_posting.posting, general.posting) == (posting, None)
    assert general.messages.count() == 2 and not on_posting.messages.exists()


def polled_cleanly():
    """The stub window really ran and succeeded, so "nothing came" is not a failed poll."""
    assert SyncRun.objects.filter(cursor__stream__startswith="mailStubs:", ok=True).exists()
    assert not SyncRun.objects.filter(ok=False).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("answer", ["no_dont_share", "no_thanks"])
def test_declining_to_share_brings_nothing(rsc_sandbox, wired, answer):
    _, rita = wired
    inmail_and_answer(rsc_sandbox, rita, data.member_number(rsc_sandbox), answer)
    assert streams.poll_due_streams() > 0
    polled_cleanly()
    assert not Candidate.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_comes_while_the_organization_has_stub_profiles_off(rsc_sandbox, wired):
    _, rita = wired
    rsc_sandbox.admin("PUT", "settings", json={"inmail_stub_profiles": False})
    inmail_and_answer(rsc_sandbox, rita, data.member_number(rsc_sandbox), "yes_share")
    streams.poll_due_streams()
    polled_cleanly()
    assert not Candidate.objects.exists()
