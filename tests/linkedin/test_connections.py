"""Connecting a candidate to their LinkedIn member by hand and disconnecting it: who may, what
LinkedIn learns, what held activity comes in at once, and when a duplicate stops a disconnect.
LinkedIn is the sandbox over real HTTP wherever it takes part."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.merge import merge
from hirebridge.hiring.models import Activity, Candidate, Message, Note
from hirebridge.hiring.models.records import Channel, RecordSource, Verb
from hirebridge.linkedin import connections, enablement, replies
from hirebridge.linkedin.connections import ConnectError, DisconnectRefused
from hirebridge.linkedin.inbound import events, history, people, streams
from hirebridge.linkedin.models import (
    HeldActivity,
    Integration,
    IntegrationStatus,
    IntegrationType,
    ProfileConnection,
    Seat,
)
from hirebridge.linkedin.outbound import drain
from tests.factories import candidate
from tests.linkedin import inbound_data as data
from tests.linkedin.conftest import Linked, RunningSandbox

pytestmark = pytest.mark.timeout(180)


def enable_profile_plugin(integration: Integration) -> None:
    IntegrationStatus.objects.create(
        integration=integration,
        integration_type=IntegrationType.PROFILE_PLUGIN,
        context_urn=integration.organization_urn,
        onboarded=True,
        checked_at=timezone.now(),
    )


@dataclass(frozen=True)
class Wired:
    sandbox: RunningSandbox
    integration: Integration
    rita: dict[str, Any]  # Tara's seat
    member: dict[str, Any]  # a sandbox member who is no seat holder

    def act(self, action: str, **body: Any) -> dict[str, Any]:
        return self.sandbox.admin("POST", f"actions/{action}", json=body)

    def linkedin_candidate(self, candidate_id: object) -> dict[str, Any] | None:
        return (
            Linked(self.sandbox, self.integration).records("atsCandidates").get(str(candidate_id))
        )

    def ledger_size(self) -> int:
        rows = self.sandbox.admin("GET", "ledger", params={"limit": 10000})["elements"]
        return rows[-1]["id"] if rows else 0


@pytest.fixture
def wired(rsc_sandbox, settings, tara, monkeypatch) -> Wired:
    """The sandbox's tenant, Tara holding the first seat, the profile plugin enabled."""
    monkeypatch.setattr(streams, "SAFETY_LAG_MS", 0)
    monkeypatch.setattr(streams, "effective_poll_seconds", lambda n: 0)
    rita = rsc_sandbox.tenant["seats"][0]
    integration = data.wire(rsc_sandbox, settings, {rita["id"]: tara})
    enable_profile_plugin(integration)
    return Wired(rsc_sandbox, integration, rita, data.member_number(rsc_sandbox))


def ada(actor, name="Ada Lovelace", emails=("ada@example.com",)) -> Candidate:
    return candidate(actor, name=name, emails=list(emails)).candidate


# Connecting


def test_connecting_stores_the_member_and_linkedin_learns_it(wired, tara):
    person = ada(tara)
    linked = connections.link(tara, person, wired.member["person"])
    assert (linked.connection.primary, linked.connection.connected_by) == (True, tara)
    activity = Activity.objects.get(verb=Verb.LINKEDIN_CONNECTED)
    assert (activity.actor, activity.detail["member"]) == (tara, wired.member["person"])

    drain.drain(wired.integration)
    synced = wired.linkedin_candidate(person.pk)
    assert synced is not None
    assert synced["body"]["manualMatchedMember"] == wired.member["person"]


def test_held_inmails_and_notes_come_in_at_once_without_asking_linkedin(wired, tara):
    sent = wired.act(
        "inmail",
        seat_id=wired.rita["id"],
        member_id=wired.member["id"],
        subject="A role",
        body="Interested?",
    )
    wired.act(
        "reply",
        member_id=wired.member["id"],
        conversation_id=sent["conversation_id"],
        body="Tell me more",
    )
    wired.act("note", seat_id=wired.rita["id"], member_id=wired.member["id"], body="Keen")
    streams.poll_due_streams()
    assert not Message.objects.exists() and not Note.objects.exists()
    assert HeldActivity.objects.filter(member_urn=wired.member["person"]).count() == 3

    person = ada(tara)
    before = wired.ledger_size()
    linked = connections.link(tara, person, wired.member["person"])

    assert wired.ledger_size() == before  # nothing asked of LinkedIn
    assert (linked.imported.inmails, linked.imported.notes) == (2, 1)
    inmails = Message.objects.filter(candidate=person, channel=Channel.INMAIL).order_by("sent_at")
    assert [m.body for m in inmails] == ["Interested?", "Tell me more"]
    assert [(n.body, n.source) for n in person.notes.all()] == [("Keen", RecordSource.LINKEDIN)]
    assert not HeldActivity.objects.exists()

    wired.act("note", seat_id=wired.rita["id"], member_id=wired.member["id"], body="Call Monday")
    streams.poll_due_streams()  # from now on the poll writes straight onto the candidate
    assert sorted(n.body for n in person.notes.all()) == ["Call Monday", "Keen"]


def test_a_personal_accounts_activity_is_never_held_nor_imported(tara):
    integration = data.make_integration(tara)
    enable_profile_plugin(integration)
    personal = data.event(7, data.ADA, data.BASE_MS)
    personal["participants"] = [data.OTHER_SEAT, data.ADA]
    with transaction.atomic():
        history.store_inmails(
            integration, data.SEAT, [replies.ConversationEvent.model_validate(personal)]
        )
        history.store_notes(
            integration,
            [
                replies.ProspectNote.model_validate(
                    data.note(9, data.BASE_MS, owner=data.OTHER_SEAT)
                )
            ],
        )
    assert not HeldActivity.objects.exists()
    linked = connections.link(tara, ada(tara), data.ADA)
    assert (linked.imported.inmails, linked.imported.notes) == (0, 0)
    assert not Message.objects.exists() and not Note.objects.exists()


def test_a_deleted_note_is_no_longer_held(tara):
    integration = data.make_integration(tara)

    def store(note):
        with transaction.atomic():
            return history.store_notes(integration, [replies.ProspectNote.model_validate(note)])

    store(data.note(31, data.BASE_MS))
    assert HeldActivity.objects.count() == 1
    assert dict(store(data.note(31, data.BASE_MS + 1, active=False)).counts) == {"deleted": 1}
    assert not HeldActivity.objects.exists()


def test_held_activity_older_than_two_years_is_forgotten(tara):
    integration = data.make_integration(tara)
    old = int((timezone.now() - timedelta(days=731)).timestamp() * 1000)
    recent = int((timezone.now() - timedelta(days=30)).timestamp() * 1000)
    with transaction.atomic():
        history.store_inmails(
            integration,
            data.SEAT,
            [
                replies.ConversationEvent.model_validate(data.event(1, data.SEAT, old)),
                replies.ConversationEvent.model_validate(data.event(2, data.SEAT, recent)),
            ],
        )
        tally = history.store_notes(integration, [])
    assert tally.counts["expired"] == 1
    assert list(HeldActivity.objects.values_list("linkedin_id", flat=True)) == ["2"]


def test_what_is_held_for_a_member_connected_by_an_export_comes_in_with_the_next_notes(
    tara, monkeypatch
):
    integration = data.make_integration(tara)
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    with transaction.atomic():
        history.store_notes(
            integration, [replies.ProspectNote.model_validate(data.note(31, data.BASE_MS))]
        )
    fake.exports["1"] = [data.exported()]
    events.process_event(data.push(integration, "1").pk)
    exported = ProfileConnection.objects.get(person_urn=data.ADA).candidate
    with transaction.atomic():
        tally = history.store_notes(integration, [])
    assert tally.counts["adopted"] == 1
    assert [n.body for n in exported.notes.all()] == ["Strong on analysis"]
    assert not HeldActivity.objects.exists()


def test_connecting_is_refused_without_a_seat(wired, alex):
    with pytest.raises(PermissionDenied, match="No LinkedIn Recruiter seat is mapped to you"):
        connections.connect(alex, ada(alex), wired.member["person"])
    assert not ProfileConnection.objects.exists()


def test_connecting_is_refused_while_the_profile_plugin_is_not_enabled(wired, tara):
    IntegrationStatus.objects.filter(integration_type=IntegrationType.PROFILE_PLUGIN).delete()
    IntegrationStatus.objects.create(
        integration=wired.integration,
        integration_type=IntegrationType.ONE_CLICK_EXPORT,
        context_urn=wired.integration.organization_urn,
        onboarded=True,
    )
    with pytest.raises(PermissionDenied, match="profile plugin is not enabled"):
        connections.connect(tara, ada(tara), wired.member["person"])


def test_connecting_needs_an_email_a_name_and_a_person_urn(wired, tara):
    nameless = ada(tara)
    Candidate.objects.filter(pk=nameless.pk).update(name=" ")
    nameless.refresh_from_db()
    with pytest.raises(ConnectError) as refused:
        connections.connect(tara, nameless, wired.member["person"])
    assert refused.value.field == "name"

    no_email = ada(tara, name="Grace Hopper", emails=())
    with pytest.raises(ConnectError) as refused:
        connections.connect(tara, no_email, wired.member["person"])
    assert refused.value.field == "emails"
    assert connections.missing_details(no_email) == ["an email"]

    for bad in ("urn:li:member:1", "urn:li:person:", "urn:li:person:a b", None, 7):
        with pytest.raises(ConnectError) as refused:
            connections.connect(tara, ada(tara, name="Alan Turing"), bad)
        assert refused.value.field == "member"
    assert not ProfileConnection.objects.exists()


def test_a_user_who_may_not_see_the_candidate_may_not_connect_it(wired, tara, ivy):
    Seat.objects.filter(urn=wired.rita["id"]).update(user=ivy)
    with pytest.raises(PermissionDenied):
        connections.connect(ivy, ada(tara), wired.member["person"])


def test_connecting_again_to_the_same_member_changes_nothing(wired, tara):
    person = ada(tara)
    connections.connect(tara, person, wired.member["person"])
    connections.connect(tara, person, wired.member["person"])
    assert Activity.objects.filter(verb=Verb.LINKEDIN_CONNECTED).count() == 1


def test_connecting_to_another_member_replaces_the_link(wired, tara):
    person = ada(tara)
    other = data.member_number(wired.sandbox, 1)
    connections.connect(tara, person, wired.member["person"])
    connections.connect(tara, person, other["person"])
    assert ProfileConnection.objects.get().person_urn == other["person"]
    assert Activity.objects.filter(verb=Verb.LINKEDIN_DISCONNECTED).count() == 1
    drain.drain(wired.integration)
    assert wired.linkedin_candidate(person.pk)["body"]["manualMatchedMember"] == other["person"]


# Disconnecting


def test_disconnecting_removes_the_link_here_and_on_linkedin_and_keeps_what_came_in(wired, tara):
    wired.act("note", seat_id=wired.rita["id"], member_id=wired.member["id"], body="Keen")
    streams.poll_due_streams()
    person = ada(tara)
    connections.connect(tara, person, wired.member["person"])
    drain.drain(wired.integration)
    assert "manualMatchedMember" in wired.linkedin_candidate(person.pk)["body"]

    connections.disconnect(tara, person)
    assert not ProfileConnection.objects.exists()
    assert [n.body for n in person.notes.all()] == ["Keen"]
    assert Activity.objects.get(verb=Verb.LINKEDIN_DISCONNECTED).actor == tara
    drain.drain(wired.integration)
    assert "manualMatchedMember" not in wired.linkedin_candidate(person.pk)["body"]
    connections.disconnect(tara, person)  # nothing left to do


def test_a_primary_with_a_same_email_duplicate_on_the_member_stays_connected(wired, tara):
    first = ada(tara)
    duplicate = ada(tara, name="Ada King", emails=("ada@example.com", "ada.king@example.com"))
    connections.connect(tara, first, wired.member["person"])
    second = connections.connect(tara, duplicate, wired.member["person"])
    assert second.primary is False

    with pytest.raises(DisconnectRefused) as refused:
        connections.disconnect(tara, first)
    assert refused.value.duplicates == [duplicate]
    assert "Ada King" in refused.value.message
    assert connections.refusal(tara, first).duplicates == [duplicate]
    assert connections.refusal(tara, duplicate) is None
    assert ProfileConnection.objects.count() == 2

    connections.disconnect(tara, duplicate)  # not primary: allowed
    connections.disconnect(tara, first)  # no duplicate left
    assert not ProfileConnection.objects.exists()


def test_a_refused_disconnect_puts_the_link_back_on_linkedin(wired, tara):
    """LinkedIn's profile plugin unlinks on its side before hirebridge is told."""
    first = ada(tara)
    duplicate = ada(tara, name="Ada King")
    connections.connect(tara, first, wired.member["person"])
    connections.connect(tara, duplicate, wired.member["person"])
    drain.drain(wired.integration)
    with enablement.client_for(wired.integration) as client:
        client.link_members(wired.integration.organization_urn, {str(first.pk): None})
    assert "manualMatchedMember" not in wired.linkedin_candidate(first.pk)["body"]

    with pytest.raises(DisconnectRefused):
        connections.disconnect(tara, first)
    drain.drain(wired.integration)
    body = wired.linkedin_candidate(first.pk)["body"]
    assert body["manualMatchedMember"] == wired.member["person"]


def test_a_duplicate_the_user_may_not_see_is_counted_not_named(wired, tara, lee, posting):
    posting.confidential = True
    posting.save()
    first = ada(lee)
    hidden = candidate(tara, name="Ada Secret", emails=["ada@example.com"], posting=posting)
    connections.connect(tara, first, wired.member["person"])
    ProfileConnection.objects.create(
        candidate=hidden.candidate,
        integration=wired.integration,
        person_urn=wired.member["person"],
        primary=False,
    )
    first.opportunities.update(owner=lee)
    refused = connections.refusal(lee, first)
    assert refused.duplicates == []
    assert "1 profile you cannot see" in refused.message and "Secret" not in refused.message


def test_disconnecting_a_primary_promotes_the_earliest_other_connection(wired, tara):
    first = ada(tara)
    second = ada(tara, name="Ada B", emails=("b@example.com",))
    third = ada(tara, name="Ada C", emails=("c@example.com",))
    for person in (first, second, third):
        connections.connect(tara, person, wired.member["person"])
    connections.disconnect(tara, first)
    primaries = ProfileConnection.objects.filter(primary=True)
    assert [c.candidate for c in primaries] == [second]


def test_exports_and_new_activity_of_the_member_land_on_the_primary(wired, tara):
    first = ada(tara)
    duplicate = ada(tara, name="Ada King", emails=("ada.king@example.com",))
    connections.connect(tara, first, wired.member["person"])
    connections.connect(tara, duplicate, wired.member["person"])
    exported = wired.act("export", seat_id=wired.rita["id"], member_id=wired.member["id"])
    events.process_event(data.push(wired.integration, exported["request_id"]).pk)
    assert Candidate.objects.count() == 2
    profile_url = wired.member["profileUrl"]
    assert first.links.filter(url=profile_url).exists()
    assert not duplicate.links.filter(url=profile_url).exists()
    wired.act(
        "inmail", seat_id=wired.rita["id"], member_id=wired.member["id"], subject="Hi", body="?"
    )
    streams.poll_due_streams()
    assert Message.objects.get().candidate == first


def test_one_member_has_one_primary_so_concurrent_exports_still_collide(wired, tara):
    first, second = ada(tara), ada(tara, name="Ada Twin")
    people.connect(wired.integration, first, wired.member["person"], tara)
    with pytest.raises(IntegrityError), transaction.atomic():
        people.connect(wired.integration, second, wired.member["person"], tara)
    ProfileConnection.objects.create(
        candidate=second,
        integration=wired.integration,
        person_urn=wired.member["person"],
        primary=False,
    )
    assert ProfileConnection.objects.filter(person_urn=wired.member["person"]).count() == 2


# What the candidate page shows


def test_the_panel_offers_the_profile_plugin_to_a_seat_holder(wired, tara, settings):
    settings.LINKEDIN_PLATFORM_BASE = wired.sandbox.url
    person = ada(tara)
    shown = connections.panel(tara, person)
    assert (shown.may_connect, shown.reason, shown.missing, shown.connection) == (
        True,
        "",
        [],
        None,
    )
    assert shown.widget["sdk"].script_url == f"{wired.sandbox.url}/xdoor/scripts/in.js"
    assert shown.widget["integration"] == wired.integration


def test_the_panel_says_why_not_and_what_is_missing(wired, tara, alex):
    person = ada(tara, emails=())
    shown = connections.panel(alex, person)
    assert not shown.may_connect and "No LinkedIn Recruiter seat" in shown.reason
    assert shown.missing == ["an email"] and shown.widget is None


def test_the_panel_links_a_connected_member_to_linkedin_recruiter(wired, tara, settings):
    settings.LINKEDIN_RECRUITER_BASE = "https://recruiter.example.test/"
    person = ada(tara)
    connections.connect(tara, person, "urn:li:person:AbC-12_x")
    shown = connections.panel(tara, person)
    assert shown.recruiter_url == "https://recruiter.example.test/talent/profile/AbC-12_x"
    assert shown.connection.person_urn == "urn:li:person:AbC-12_x"


def test_the_recruiter_profile_link_opens_the_member_in_the_sandbox(wired, settings):
    settings.LINKEDIN_RECRUITER_BASE = wired.sandbox.url
    url = connections.recruiter_profile_url(wired.member["person"])
    assert url == f"{wired.sandbox.url}/talent/profile/{wired.member['person'].split(':')[-1]}"
    with pytest.raises(ConnectError):
        connections.recruiter_profile_url("urn:li:seat:1")


def test_merging_the_duplicate_in_resolves_a_refused_disconnect(wired, tara):
    first = ada(tara)
    duplicate = ada(tara, name="Ada King", emails=("ada@example.com", "ada.king@example.com"))
    connections.connect(tara, first, wired.member["person"])
    connections.connect(tara, duplicate, wired.member["person"])
    with pytest.raises(DisconnectRefused):
        connections.disconnect(tara, first)

    merge(tara, first, duplicate)
    assert connections.refusal(tara, first) is None
    connections.disconnect(tara, first)

    assert not ProfileConnection.objects.exists()
    assert set(first.emails.values_list("email", flat=True)) == {
        "ada@example.com",
        "ada.king@example.com",
    }


def test_deleting_the_primary_candidate_makes_the_next_duplicate_primary(wired, tara):
    first = ada(tara)
    duplicate = ada(tara, name="Ada King")
    connections.connect(tara, first, wired.member["person"])
    connections.connect(tara, duplicate, wired.member["person"])

    services.delete_candidate(tara, first)

    assert ProfileConnection.objects.get().candidate == duplicate
    assert ProfileConnection.objects.get().primary
