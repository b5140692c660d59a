"""InMail and note history: imported for connected candidates only, upserted on LinkedIn's ids."""

import time

import pytest
from django.db import transaction

from hirebridge.hiring.models import Message, Note, Opportunity
from hirebridge.hiring.models.stages import LEAD_NEW, LEAD_REACHED_OUT, LEAD_RESPONDED
from hirebridge.linkedin import replies
from hirebridge.linkedin.inbound import events, history, streams
from hirebridge.linkedin.models import HeldActivity
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import ADA, OTHER_SEAT, SEAT


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


@pytest.fixture
def linkedin(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


@pytest.fixture
def exported_ada(linkedin, integration, posting):
    """Ada, exported to the posting with an old thread (41) of Rita's."""
    old = data.inmail(1, SEAT, data.BASE_MS)
    linkedin.exports["1"] = [data.exported(job=str(posting.id), inmails=[old])]
    events.process_event(data.push(integration, "1").pk)
    return Opportunity.objects.get()


def now_ms(later: int = 0) -> int:
    return int(time.time() * 1000) + later


def store_inmails(integration, raw_events):
    with transaction.atomic():
        parsed = [replies.ConversationEvent.model_validate(e) for e in raw_events]
        return history.store_inmails(integration, SEAT, parsed)


def store_notes(integration, raw_notes):
    with transaction.atomic():
        parsed = [replies.ProspectNote.model_validate(n) for n in raw_notes]
        return history.store_notes(integration, parsed)


def test_new_inmails_of_a_connected_candidate_move_the_lead_forward(integration, exported_ada):
    store_inmails(integration, [data.event(2, SEAT, now_ms(1000), thread=42)])
    exported_ada.refresh_from_db()
    assert exported_ada.stage_id == LEAD_REACHED_OUT
    tally = store_inmails(
        integration,
        [data.event(2, SEAT, now_ms(1000), thread=42), data.event(3, ADA, now_ms(2000), thread=42)],
    )
    assert dict(tally.counts) == {"unchanged": 1, "imported": 1}
    exported_ada.refresh_from_db()
    assert exported_ada.stage_id == LEAD_RESPONDED
    reply = Message.objects.get(external_id="3")
    assert (reply.sender, reply.recipient, reply.direction) == (
        "Ada Lovelace",
        "Rita Recruiter",
        "in",
    )


def test_a_thread_stays_on_the_opportunity_it_started_on(integration, exported_ada):
    store_inmails(
        integration,
        [data.event(5, ADA, now_ms(), thread=41), data.event(6, SEAT, now_ms(), thread=42)],
    )
    assert Message.objects.get(external_id="5").opportunity == exported_ada
    assert Message.objects.get(external_id="6").opportunity is None


def test_inmails_of_unconnected_members_are_held_and_of_other_seats_skipped(
    integration, exported_ada
):
    foreign = data.event(7, ADA, now_ms())
    foreign["participants"] = [OTHER_SEAT, ADA]
    stranger = data.event(8, SEAT, now_ms(), member="urn:li:person:stranger")
    tally = store_inmails(integration, [foreign, stranger])
    assert dict(tally.counts) == {"skipped": 1, "held": 1}
    assert Message.objects.count() == 1
    assert list(HeldActivity.objects.values_list("linkedin_id", "member_urn")) == [
        ("8", "urn:li:person:stranger")
    ]


def test_notes_are_created_updated_and_deleted_as_their_latest_state(integration, exported_ada):
    edited = data.note(31, now_ms(2000), note="Strong on analysis; call back in May")
    tally = store_notes(integration, [edited, data.note(31, now_ms(1000))])
    assert dict(tally.counts) == {"imported": 1, "updated": 1}
    copy = Note.objects.get(external_id="31")
    assert (copy.body, copy.external_author, copy.candidate) == (
        "Strong on analysis; call back in May",
        "Rita Recruiter",
        exported_ada.candidate,
    )

    tally = store_notes(integration, [data.note(31, now_ms(3000), active=False)])
    assert dict(tally.counts) == {"deleted": 1}
    assert not Note.objects.exists()


def test_notes_of_unconnected_members_are_held_and_of_other_seats_skipped(
    integration, exported_ada
):
    tally = store_notes(
        integration,
        [
            data.note(32, now_ms(), member="urn:li:person:stranger"),
            data.note(33, now_ms(), owner=OTHER_SEAT),
        ],
    )
    assert dict(tally.counts) == {"skipped": 1, "held": 1}
    assert not Note.objects.exists()
    assert list(HeldActivity.objects.values_list("linkedin_id", flat=True)) == ["32"]


# Against the sandbox, over real HTTP.


@pytest.fixture
def wired(rsc_sandbox, settings, tara, monkeypatch):
    monkeypatch.setattr(streams, "SAFETY_LAG_MS", 0)
    monkeypatch.setattr(streams, "effective_poll_seconds", lambda n: 0)
    rita = rsc_sandbox.tenant["seats"][0]
    integration = data.wire(rsc_sandbox, settings, {rita["id"]: tara})
    member = data.member_number(rsc_sandbox)
    exported = rsc_sandbox.admin(
        "POST", "actions/export", json={"seat_id": rita["id"], "member_id": member["id"]}
    )
    events.process_event(data.push(integration, exported["request_id"]).pk)
    return rita, member


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_inmail_then_a_reply_move_the_sandbox_lead_to_reached_out_then_responded(
    rsc_sandbox, wired, tara
):
    rita, member = wired
    lead = Opportunity.objects.get()
    assert lead.stage_id == LEAD_NEW
    sent = rsc_sandbox.admin(
        "POST",
        "actions/inmail",
        json={"seat_id": rita["id"], "member_id": member["id"], "subject": "Hi", "body": "A job?"},
    )
    streams.poll_due_streams()
    lead.refresh_from_db()
    assert lead.stage_id == LEAD_REACHED_OUT
    assert Message.objects.get().sender_user == tara

    rsc_sandbox.admin(
        "POST",
        "actions/reply",
        json={"member_id": member["id"], "conversation_id": sent["conversation_id"], "body": "Yes"},
    )
    streams.poll_due_streams()
    lead.refresh_from_db()
    assert lead.stage_id == LEAD_RESPONDED
    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sandbox_notes_are_added_edited_and_deleted(rsc_sandbox, wired):
    rita, member = wired
    written = rsc_sandbox.admin(
        "POST",
        "actions/note",
        json={"seat_id": rita["id"], "member_id": member["id"], "body": "Keen"},
    )
    streams.poll_due_streams()
    assert [n.body for n in Note.objects.all()] == ["Keen"]

    rsc_sandbox.admin("PUT", f"actions/note/{written['note_id']}", json={"body": "Very keen"})
    streams.poll_due_streams()
    assert [n.body for n in Note.objects.all()] == ["Very keen"]

    rsc_sandbox.admin("PUT", f"actions/note/{written['note_id']}", json={"active": False})
    streams.poll_due_streams()
    assert not Note.objects.exists()
