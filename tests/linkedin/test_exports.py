"""1-click export: the exported member becomes a candidate in New lead on the chosen posting."""

import logging

import httpx
import pytest

from hirebridge.hiring.models import Candidate, Message, Note, Opportunity
from hirebridge.hiring.models.records import Direction
from hirebridge.hiring.models.stages import LEAD_NEW
from hirebridge.linkedin import enablement
from hirebridge.linkedin.inbound import events
from hirebridge.linkedin.models import EventStatus, OutboxItem, ProfileConnection
from tests.factories import PostingFactory, candidate
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import ADA, BASE_MS, SEAT


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


def export(linkedin, integration, request_id="900000000000000001", **fields):
    linkedin.exports[request_id] = [data.exported(**fields)]
    event = data.push(integration, request_id)
    assert events.process_event(event.pk)
    event.refresh_from_db()
    return event


def test_it_creates_the_candidate_with_every_field_on_the_chosen_posting(
    linkedin, integration, tara, posting
):
    member_first = data.inmail(7001, ADA, BASE_MS - 9000, body="Hi Rita")
    seat_reply = data.inmail(7002, SEAT, BASE_MS - 5000)
    note = {"id": 31, "note": "Met at PyCon", "owner": SEAT, "createdAt": BASE_MS - 4000}
    event = export(
        linkedin, integration, job=str(posting.id), inmails=[seat_reply, member_first], notes=[note]
    )

    assert (event.status, event.last_error) == (EventStatus.DONE, "")
    person = Candidate.objects.get()
    assert (person.name, person.headline, person.location, person.current_company) == (
        "Ada Lovelace",
        "Analyst at Analytical Engines",
        "London, United Kingdom",
        "Analytical Engines",
    )
    assert person.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    assert [e.email for e in person.emails.all()] == ["ada@example.com"]
    assert person.origin == "sourced" and person.created_by == tara
    assert person.linkedin_connection.person_urn == ADA
    opportunity = person.opportunities.get()
    assert (opportunity.posting, opportunity.stage_id) == (posting, LEAD_NEW)
    assert (opportunity.owner, opportunity.created_by) == (tara, tara)
    assert [s.text for s in opportunity.sources.all()] == ["LinkedIn Recruiter"]
    sent, received = Message.objects.order_by("sent_at").reverse()
    assert (received.direction, received.sender, received.recipient) == (
        Direction.INBOUND,
        "Ada Lovelace",
        "Rita Recruiter",
    )
    assert (sent.direction, sent.sender, sent.sender_user, sent.external_id) == (
        Direction.OUTBOUND,
        "Rita Recruiter",
        tara,
        "7002",
    )
    assert {m.thread_id for m in (sent, received)} == {"urn:li:messagingThread:41"}
    assert {m.opportunity for m in (sent, received)} == {opportunity}
    imported = Note.objects.get()
    assert (imported.body, imported.external_author, imported.external_id) == (
        "Met at PyCon",
        "Rita Recruiter",
        "31",
    )
    assert imported.opportunity == opportunity and imported.source == "linkedin"
    # LinkedIn learns of the member link through the candidate sync.
    assert OutboxItem.objects.filter(kind="candidate", entity_id=str(person.id)).exists()


def test_an_export_without_a_posting_makes_or_reuses_a_general_opportunity(linkedin, integration):
    export(linkedin, integration, "1")
    export(linkedin, integration, "2")
    general = Opportunity.objects.get()
    assert general.posting is None and general.stage_id == LEAD_NEW


def test_an_existing_connected_candidate_gets_a_second_posting_not_a_duplicate(
    linkedin, integration, posting
):
    other = PostingFactory(title="Data Engineer")
    export(linkedin, integration, "1", job=str(posting.id))
    export(linkedin, integration, "2", job=str(other.id))
    export(linkedin, integration, "3", job=str(other.id))
    person = Candidate.objects.get()
    assert {o.posting for o in person.opportunities.all()} == {posting, other}


def test_it_finds_a_candidate_by_email_then_by_linkedin_url(linkedin, integration, alex):
    by_email = candidate(alex, "Ada King", emails=["ADA@example.com"])
    export(linkedin, integration, "1")
    assert Candidate.objects.count() == 1
    assert ProfileConnection.objects.get().candidate == by_email.candidate

    by_url = candidate(
        alex, "Grace Hopper", emails=[], links=["https://www.linkedin.com/in/grace-hopper/"]
    )
    export(
        linkedin,
        integration,
        "2",
        member="urn:li:person:grace1",
        emailAddresses=[],
        profileUrl="https://www.linkedin.com/in/grace-hopper",
    )
    assert Candidate.objects.count() == 2
    assert by_url.candidate.linkedin_connection.person_urn == "urn:li:person:grace1"


def test_a_candidate_connected_to_another_member_is_not_matched_by_email(linkedin, integration):
    export(linkedin, integration, "1")
    export(linkedin, integration, "2", member="urn:li:person:namesake")
    assert Candidate.objects.count() == 2


def test_an_unmapped_seat_exports_automatically_with_no_owner(linkedin, integration):
    export(linkedin, integration, exporter="urn:li:seat:5000099")
    opportunity = Opportunity.objects.get()
    assert opportunity.owner is None and opportunity.created_by is None
    assert opportunity.candidate.activities.get().automatic


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"job": "00000000-0000-0000-0000-000000000000"}, "externalJobPostingId: no posting"),
        ({"job": "JOB-1"}, "externalJobPostingId: no posting 'JOB-1'"),
        ({"firstName": None}, "firstName"),
        ({"emailAddresses": ["not an address"]}, "emailAddresses: 'not an address'"),
    ],
)
def test_a_bad_export_fails_and_writes_nothing(linkedin, integration, caplog, fields, error):
    with caplog.at_level(logging.ERROR, "hirebridge.linkedin"):
        event = export(linkedin, integration, **fields)
    assert event.status == EventStatus.FAILED and error in event.last_error
    assert error in caplog.text
    assert not Candidate.objects.exists() and not ProfileConnection.objects.exists()
    assert not OutboxItem.objects.exists()


def test_an_export_of_another_organization_is_dropped_as_a_security_event(
    linkedin, integration, caplog
):
    with caplog.at_level(logging.WARNING, "hirebridge.security"):
        event = export(linkedin, integration, context="urn:li:organization:666")
    assert event.status == EventStatus.DROPPED
    assert "urn:li:organization:666" in event.last_error
    assert [r.name for r in caplog.records] == ["hirebridge.security"]
    assert not Candidate.objects.exists()


# Against the sandbox, over real HTTP.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sandbox_export_lands_in_new_lead_on_the_posting_with_inmails_and_notes(
    rsc_sandbox, settings, tara, posting
):
    rita = rsc_sandbox.tenant["seats"][0]
    integration = data.wire(rsc_sandbox, settings, {rita["id"]: tara})
    data.sync_job(rsc_sandbox, integration, str(posting.id), posting.title)
    member = data.member_number(rsc_sandbox)
    sent = rsc_sandbox.admin(
        "POST",
        "actions/inmail",
        json={"seat_id": rita["id"], "member_id": member["id"], "subject": "Hi", "body": "A job?"},
    )
    rsc_sandbox.admin(
        "POST",
        "actions/reply",
        json={"member_id": member["id"], "conversation_id": sent["conversation_id"], "body": "Yes"},
    )
    rsc_sandbox.admin(
        "POST",
        "actions/note",
        json={"seat_id": rita["id"], "member_id": member["id"], "body": "Keen"},
    )
    exported = rsc_sandbox.admin(
        "POST",
        "actions/export",
        json={
            "seat_id": rita["id"],
            "member_id": member["id"],
            "external_job_posting_id": str(posting.id),
            "email_addresses": ["typed@example.com"],
        },
    )

    event = data.push(integration, exported["request_id"])
    assert events.process_event(event.pk)

    event.refresh_from_db()
    assert event.status == EventStatus.DONE, event.last_error
    person = Candidate.objects.get()
    assert person.name == f"{member['firstName']} {member['lastName']}"
    assert (person.headline, person.location, person.current_company) == (
        member["headline"],
        member["location"],
        member["company"],
    )
    assert person.linkedin_url == member["profileUrl"]
    assert [e.email for e in person.emails.all()] == ["typed@example.com"]
    assert person.linkedin_connection.person_urn == member["person"]
    opportunity = person.opportunities.get()
    assert (opportunity.posting, opportunity.stage_id, opportunity.owner) == (
        posting,
        LEAD_NEW,
        tara,
    )
    assert sorted(m.direction for m in opportunity.messages.all()) == ["in", "out"]
    assert [n.body for n in opportunity.notes.all()] == ["Keen"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_comes_while_the_organization_has_1_click_export_off(rsc_sandbox, settings):
    integration = data.wire(rsc_sandbox, settings, {})
    enablement.register(integration, "http://127.0.0.1:9/hirebridge")
    rsc_sandbox.admin("PUT", "settings", json={"one_click_export": False})
    member = data.member_number(rsc_sandbox)
    refused = httpx.post(
        f"{rsc_sandbox.url}/_sandbox/actions/export",
        json={"seat_id": rsc_sandbox.tenant["seats"][0]["id"], "member_id": member["id"]},
        timeout=10,
    )
    assert refused.status_code == 403
    assert rsc_sandbox.admin("GET", "deliveries")["elements"] == []
    assert not Candidate.objects.exists()


def test_the_opportunity_dates_from_the_export_so_an_inmail_sent_before_ingestion_counts(
    linkedin, integration, posting
):
    from hirebridge.hiring import services
    from hirebridge.hiring.models.stages import LEAD_REACHED_OUT
    from hirebridge.linkedin.inbound.people import moment

    export(linkedin, integration, job=str(posting.id))
    opportunity = Opportunity.objects.get()
    assert opportunity.created_at == moment(BASE_MS)
    services.log_message(
        services.AUTOMATIC,
        opportunity.candidate,
        channel="inmail",
        direction="out",
        sender="Rita Recruiter",
        sent_at=moment(BASE_MS + 1000),
        external_id="inmail-1",
        opportunity=opportunity,
    )
    opportunity.refresh_from_db()
    assert opportunity.stage_id == LEAD_REACHED_OUT
