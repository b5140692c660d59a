"""A person erased with "do not re-import" never comes back from LinkedIn: not by a 1-click
export (nor Unified Search's "save to job", which is one), an InMail stub or polled history;
anyone else still does, and a recruiter may still add them by hand."""

import logging

import pytest
from django.db import transaction

from hirebridge.audit.models import AuditEvent
from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate, Message, Note
from hirebridge.linkedin import replies
from hirebridge.linkedin.inbound import events, history, stubs
from hirebridge.linkedin.models import EventStatus, HeldActivity
from hirebridge.privacy import suppression
from tests.factories import candidate
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import ADA, BASE_MS, CONTRACT, SEAT

GRACE = "urn:li:person:grace1"
PERSONAL = ("Ada", "Lovelace", "ada@example.com", ADA)
SUPPRESSED_REASON = "members asked not to be imported"


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def export(linkedin, integration, request_id, *elements):
    linkedin.exports[request_id] = list(elements) or [data.exported()]
    event = data.push(integration, request_id)
    assert events.process_event(event.pk)
    event.refresh_from_db()
    return event


def grace(**fields):
    return data.exported(
        member=GRACE,
        firstName="Grace",
        lastName="Hopper",
        emailAddresses=["grace@example.com"],
        profileUrl="https://www.linkedin.com/in/grace-hopper",
        **fields,
    )


@pytest.fixture
def forgotten(linkedin, integration, alex):
    """Ada, exported once, then erased with "do not re-import from LinkedIn"."""
    export(linkedin, integration, "1")
    services.delete_candidate(alex, Candidate.objects.get(), suppress=True)
    assert not Candidate.objects.exists()


def suppressed_imports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="candidate.suppressed_import"))


def test_an_export_of_a_suppressed_member_imports_nothing_and_says_why(
    linkedin, integration, forgotten, posting, caplog
):
    note = {"id": 31, "note": "Met at PyCon", "owner": SEAT, "createdAt": BASE_MS}
    inmail = data.inmail(7001, ADA, BASE_MS)
    with caplog.at_level(logging.INFO):
        event = export(
            linkedin,
            integration,
            "2",
            data.exported(job=str(posting.id), notes=[note], inmails=[inmail]),
            grace(job=str(posting.id)),
        )

    assert event.status == EventStatus.DONE
    assert event.last_error.startswith("suppressed: 1 of 2")
    assert [c.name for c in Candidate.objects.all()] == ["Grace Hopper"]
    assert not Note.objects.exists() and not Message.objects.exists()
    [audited] = suppressed_imports()
    assert (audited.actor_kind, audited.detail) == (
        "linkedin",
        {"reason": "suppressed", "items": 1},
    )
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "suppressed member" in logged
    assert not [word for word in PERSONAL if word in logged + event.last_error]


def test_the_same_person_under_another_urn_is_still_matched_by_email(
    linkedin, integration, forgotten
):
    event = export(linkedin, integration, "2", data.exported(member="urn:li:person:ada-new"))
    assert (event.status, Candidate.objects.count()) == (EventStatus.DONE, 0)


def test_a_stub_of_a_suppressed_member_is_not_imported_and_another_member_is(
    linkedin, integration, forgotten
):
    linkedin.stubs = [
        data.stub(11, BASE_MS, emailAddress="ada.shared@example.com"),
        data.stub(
            12,
            BASE_MS,
            member=GRACE,
            firstName="Grace",
            lastName="Hopper",
            emailAddress="grace@example.com",
            profileUrl="https://www.linkedin.com/in/grace-hopper",
        ),
    ]
    with transaction.atomic():
        tally = stubs.store(integration, stubs.fetch(linkedin, CONTRACT, [SEAT], 0, 2**62))
    assert (dict(tally.counts), tally.errors) == ({"suppressed": 1, "imported": 1}, [])
    assert Candidate.objects.get().linkedin_connection.person_urn == GRACE
    assert len(suppressed_imports()) == 1


def test_polled_history_of_a_suppressed_member_is_neither_imported_nor_held(integration, forgotten):
    inmails = [data.event(5, ADA, BASE_MS), data.event(6, SEAT, BASE_MS, member=GRACE)]
    notes = [data.note(21, BASE_MS), data.note(22, BASE_MS, member=GRACE)]
    with transaction.atomic():
        parsed = [replies.ConversationEvent.model_validate(e) for e in inmails]
        inmail_tally = history.store_inmails(integration, SEAT, parsed)
        note_tally = history.store_notes(
            integration, [replies.ProspectNote.model_validate(n) for n in notes]
        )
    assert dict(inmail_tally.counts) == {"suppressed": 1, "held": 1}
    assert dict(note_tally.counts) == {"suppressed": 1, "held": 1}
    assert set(HeldActivity.objects.values_list("member_urn", flat=True)) == {GRACE}
    assert [a.detail["items"] for a in suppressed_imports()] == [1, 1]


def test_a_recruiter_may_still_add_the_person_by_hand(forgotten, tara):
    added = candidate(tara, "Ada Lovelace", emails=["ada@example.com"]).candidate
    assert Candidate.objects.get() == added


def test_once_lifted_the_member_is_imported_again(linkedin, integration, forgotten, alex):
    assert suppression.lift(suppression.identifiers(person_urns=[ADA]), alex) == 1
    event = export(linkedin, integration, "2")
    assert (event.status, event.last_error) == (EventStatus.DONE, "")
    assert Candidate.objects.get().linkedin_connection.person_urn == ADA


def test_an_erasure_without_suppression_lets_the_member_come_back(linkedin, integration, alex):
    export(linkedin, integration, "1")
    services.delete_candidate(alex, Candidate.objects.get())
    export(linkedin, integration, "2")
    assert Candidate.objects.count() == 1
    assert suppressed_imports() == []


@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sandbox_export_of_an_erased_member_is_refused_over_http(
    rsc_sandbox, settings, tara, alex, posting
):
    rita = rsc_sandbox.tenant["seats"][0]
    integration = data.wire(rsc_sandbox, settings, {rita["id"]: tara})
    data.sync_job(rsc_sandbox, integration, str(posting.id), posting.title)
    member = data.member_number(rsc_sandbox)

    def export_from_recruiter() -> tuple[EventStatus, str]:
        exported = rsc_sandbox.admin(
            "POST",
            "actions/export",
            json={
                "seat_id": rita["id"],
                "member_id": member["id"],
                "external_job_posting_id": str(posting.id),
            },
        )
        event = data.push(integration, exported["request_id"])
        assert events.process_event(event.pk)
        event.refresh_from_db()
        return event.status, event.last_error

    assert export_from_recruiter() == (EventStatus.DONE, "")
    services.delete_candidate(alex, Candidate.objects.get(), suppress=True)

    status, reason = export_from_recruiter()
    assert (status, reason) == (EventStatus.DONE, f"suppressed: 1 of 1 {SUPPRESSED_REASON}")
    assert not Candidate.objects.exists()
