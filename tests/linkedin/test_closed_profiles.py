"""Members who closed their LinkedIn account: their candidate loses what LinkedIn brought in, an
admin keeps or deletes the rest. Against the real sandbox, except where it cannot misbehave."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate, CandidateLink, Message, Note
from hirebridge.hiring.models.records import Channel, Direction, Verb
from hirebridge.linkedin import claims, replies
from hirebridge.linkedin.inbound import events
from hirebridge.linkedin.models import (
    ClosedProfile,
    ClosedProfileDecision,
    OutboxItem,
    OutboxKind,
    ProfileConnection,
    SyncCursor,
    SyncRun,
)
from hirebridge.linkedin.outbound import closed_profiles
from hirebridge.linkedin.outbound.closed_profiles import check_closed_profiles, decide, due
from tests.linkedin import inbound_data as data

GITHUB = "https://github.com/someone"


@pytest.fixture
def wired(rsc_sandbox, settings, tara):
    rita = rsc_sandbox.tenant["seats"][0]
    integration = data.wire(rsc_sandbox, settings, {rita["id"]: tara})
    return integration, rita


def export(sandbox, rita, member):
    return sandbox.admin(
        "POST", "actions/export", json={"seat_id": rita["id"], "member_id": member["id"]}
    )


@pytest.fixture
def exported(rsc_sandbox, wired, tara):
    """A member Rita wrote to and noted, exported into the ATS; the recruiters then added a
    note, an email and a GitHub link of their own."""
    integration, rita = wired
    member = data.member_number(rsc_sandbox)
    rsc_sandbox.admin(
        "POST",
        "actions/inmail",
        json={"seat_id": rita["id"], "member_id": member["id"], "subject": "Hi", "body": "A job?"},
    )
    rsc_sandbox.admin(
        "POST",
        "actions/note",
        json={"seat_id": rita["id"], "member_id": member["id"], "body": "Keen on Rust"},
    )
    events.process_event(data.push(integration, export(rsc_sandbox, rita, member)["request_id"]).pk)
    person = Candidate.objects.get()
    assert person.notes.get().source == "linkedin"
    assert person.messages.get().channel == Channel.INMAIL
    assert person.linkedin_url
    services.add_note(tara, person, "Called them, sounds good")
    services.log_message(
        tara,
        person,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        sender="Tara Team",
        sent_at=timezone.now(),
        body="Let's talk",
    )
    services.add_contact_details(tara, person, links=[GITHUB])
    return integration, member, person


def close(sandbox, member) -> int:
    return sandbox.admin("POST", "actions/close-profile", json={"member_id": member["id"]})[
        "closed_at"
    ]


def test_a_closed_member_loses_the_linkedin_data_and_is_listed_pending(rsc_sandbox, exported):
    integration, member, person = exported
    closed_at = close(rsc_sandbox, member)
    OutboxItem.objects.all().delete()
    modified = person.updated_at

    result = check_closed_profiles(integration)

    assert (result.ok, result.counts) == (True, {"cleaned": 1})
    person.refresh_from_db()
    assert not ProfileConnection.objects.exists()
    assert [note.body for note in person.notes.all()] == ["Called them, sounds good"]
    assert [message.channel for message in person.messages.all()] == [Channel.EMAIL]
    assert [link.url for link in person.links.all()] == [GITHUB]
    removal = person.activities.get(verb=Verb.LINKEDIN_DATA_REMOVED)
    assert removal.automatic and removal.detail == {"notes": 1, "inmails": 1, "links": 1}
    assert person.updated_at > modified
    row = ClosedProfile.objects.get()
    assert (row.integration, row.person_urn, row.profile_url) == (
        integration,
        member["person"],
        member["profileUrl"],
    )
    assert row.closed_at == datetime.fromtimestamp(closed_at / 1000, UTC)
    assert (row.candidate, row.candidate_name) == (person, person.name)
    assert row.removed == {"notes": 1, "inmails": 1, "links": 1}
    assert row.decision == ClosedProfileDecision.PENDING
    # LinkedIn's copy of the candidate is sent again, without the member.
    assert OutboxItem.objects.filter(kind=OutboxKind.CANDIDATE, entity_id=str(person.id)).exists()
    cursor = SyncCursor.objects.get(stream="closedCandidateProfiles")
    assert (cursor.watermark_ms, cursor.last_error) == (closed_at, "")
    run = SyncRun.objects.get(cursor=cursor)
    assert (run.ok, run.counts) == (True, {"fetched": 1, "cleaned": 1})


def test_checking_again_changes_nothing(rsc_sandbox, exported):
    integration, member, _ = exported
    close(rsc_sandbox, member)
    check_closed_profiles(integration)
    before = list(ClosedProfile.objects.values())
    OutboxItem.objects.all().delete()

    result = check_closed_profiles(integration)

    assert result.counts == {"repeated": 1}
    assert list(ClosedProfile.objects.values()) == before
    assert not OutboxItem.objects.exists()
    assert Note.objects.count() == 1 and Message.objects.count() == 1


def test_a_candidate_connected_again_is_cleaned_and_asked_about_again(
    rsc_sandbox, exported, alex, tara
):
    integration, member, person = exported
    close(rsc_sandbox, member)
    check_closed_profiles(integration)
    decide(ClosedProfile.objects.get(), alex, ClosedProfileDecision.KEPT)
    again = services.create_candidate(
        tara, name="Linked Again", emails=[], links=[member["profileUrl"]]
    ).candidate
    ProfileConnection.objects.create(
        candidate=again, integration=integration, person_urn=member["person"]
    )

    assert check_closed_profiles(integration).counts == {"cleaned": 1}

    assert not ProfileConnection.objects.exists() and not again.links.exists()
    row = ClosedProfile.objects.get()
    assert (row.candidate, row.candidate_name, row.decision, row.decided_by) == (
        again,
        "Linked Again",
        ClosedProfileDecision.PENDING,
        None,
    )
    assert row.removed == {"notes": 1, "inmails": 1, "links": 2}
    assert Candidate.objects.filter(pk=person.pk).exists()


def test_a_member_matching_no_candidate_is_still_listed(rsc_sandbox, wired):
    integration, rita = wired
    member = data.member_number(rsc_sandbox, 1)
    export(rsc_sandbox, rita, member)  # the push never reached the ATS
    close(rsc_sandbox, member)

    assert check_closed_profiles(integration).counts == {"unmatched": 1}

    row = ClosedProfile.objects.get()
    assert (row.person_urn, row.candidate, row.candidate_name, row.removed) == (
        member["person"],
        None,
        "",
        {},
    )
    assert check_closed_profiles(integration).counts == {"repeated": 1}


def test_only_the_candidate_connected_to_the_member_is_touched(rsc_sandbox, exported, tara):
    integration, member, _ = exported
    # Same name and a link to the same LinkedIn profile, but never connected to the member.
    namesake = services.create_candidate(
        tara, name="Namesake", emails=[], links=[member["profileUrl"]]
    ).candidate
    close(rsc_sandbox, member)
    check_closed_profiles(integration)
    assert CandidateLink.objects.filter(candidate=namesake).count() == 1
    assert ClosedProfile.objects.get().candidate != namesake


def test_a_failed_call_keeps_the_cursor_and_is_retried_within_the_hour(rsc_sandbox, exported):
    integration, member, _ = exported
    close(rsc_sandbox, member)
    rsc_sandbox.admin(
        "PUT", "faults", json={"http": [{"path": "/v2/closedCandidateProfiles", "status": 403}]}
    )

    result = check_closed_profiles(integration)

    assert not result.ok and result.errors
    cursor = SyncCursor.objects.get(stream="closedCandidateProfiles")
    assert (cursor.watermark_ms, cursor.last_success_at) == (0, None)
    assert cursor.last_error == result.errors[0]
    assert SyncRun.objects.get().ok is False
    assert not ClosedProfile.objects.exists() and ProfileConnection.objects.exists()
    assert not due(integration)
    SyncRun.objects.update(started_at=timezone.now() - timedelta(hours=1))
    assert due(integration)


def test_only_one_check_runs_at_a_time(wired):
    integration, _ = wired
    check_closed_profiles(integration)
    held = claims.claim_cursor(SyncCursor.objects.get(stream="closedCandidateProfiles").pk)
    assert held is not None
    assert not check_closed_profiles(integration).ran


# Decisions.


@pytest.fixture
def pending(rsc_sandbox, exported):
    integration, member, person = exported
    close(rsc_sandbox, member)
    check_closed_profiles(integration)
    return ClosedProfile.objects.get(), person


def test_an_admin_keeps_the_candidate(pending, alex):
    row, person = pending
    kept = decide(row, alex, ClosedProfileDecision.KEPT)
    assert (kept.decision, kept.decided_by, kept.candidate) == (
        ClosedProfileDecision.KEPT,
        alex,
        person,
    )
    assert kept.decided_at is not None
    assert Candidate.objects.filter(pk=person.pk).exists()


def test_a_super_admin_deletes_the_candidate(pending, sam):
    row, person = pending
    deleted = decide(row, sam, ClosedProfileDecision.DELETED)
    assert not Candidate.objects.filter(pk=person.pk).exists()
    deleted.refresh_from_db()
    assert (deleted.decision, deleted.decided_by, deleted.candidate) == (
        ClosedProfileDecision.DELETED,
        sam,
        None,
    )
    assert deleted.candidate_name == person.name
    with pytest.raises(closed_profiles.Undecidable, match="decision: the candidate is deleted"):
        decide(deleted, sam, ClosedProfileDecision.KEPT)


def test_kept_can_later_become_deleted_and_a_repeat_changes_nothing(pending, alex, sam):
    row, person = pending
    decide(row, alex, ClosedProfileDecision.KEPT)
    again = decide(row, sam, ClosedProfileDecision.KEPT)
    assert again.decided_by == alex
    decide(row, sam, ClosedProfileDecision.DELETED)
    assert not Candidate.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("persona", ["tara", "lee", "ivy"])
def test_only_admins_decide(pending, persona, request):
    row, person = pending
    with pytest.raises(PermissionDenied):
        decide(row, request.getfixturevalue(persona), ClosedProfileDecision.DELETED)
    row.refresh_from_db()
    assert row.decision == ClosedProfileDecision.PENDING
    assert Candidate.objects.filter(pk=person.pk).exists()


def test_a_decision_must_be_kept_or_deleted(pending, alex):
    row, _ = pending
    with pytest.raises(closed_profiles.Undecidable, match="decision: expected 'kept' or 'deleted'"):
        decide(row, alex, ClosedProfileDecision.PENDING)


# Schedule.


def test_it_is_due_daily_by_default(wired):
    integration, _ = wired
    assert due(integration)
    assert check_closed_profiles(integration).ok
    assert not due(integration)
    SyncCursor.objects.update(last_success_at=timezone.now() - timedelta(hours=23))
    SyncRun.objects.update(started_at=timezone.now() - timedelta(hours=23))
    assert not due(integration)
    SyncCursor.objects.update(last_success_at=timezone.now() - timedelta(hours=24))
    SyncRun.objects.update(started_at=timezone.now() - timedelta(hours=24))
    assert due(integration)


@pytest.mark.parametrize("hours", [0, 721])
def test_an_interval_beyond_30_days_or_under_an_hour_is_refused(settings, wired, hours):
    integration, _ = wired
    settings.LINKEDIN_CLOSED_PROFILES_HOURS = hours
    with pytest.raises(ImproperlyConfigured, match="LINKEDIN_CLOSED_PROFILES_HOURS"):
        due(integration)


def test_30_days_is_allowed(settings, wired):
    integration, _ = wired
    settings.LINKEDIN_CLOSED_PROFILES_HOURS = 720
    assert closed_profiles.interval() == timedelta(days=30)
    assert due(integration)


# What the sandbox never sends: a reply the ATS must not trust.


class ClosedList:
    """Stands in for the client: serves the given elements and records each closedAfter."""

    def __init__(self, *elements: dict) -> None:
        self.elements = [replies.ClosedProfile.model_validate(e) for e in elements]
        self.asked: list[int | None] = []

    def closed_candidate_profiles(
        self, org_urn: str, closed_after_ms: int | None
    ) -> list[replies.ClosedProfile]:
        self.asked.append(closed_after_ms)
        return self.elements


@pytest.fixture
def integration(db):
    return data.make_integration()


def served(monkeypatch, *elements: dict) -> ClosedList:
    fake = ClosedList(*elements)
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def test_a_future_closure_is_refused_and_holds_the_cursor_before_it(monkeypatch, integration):
    earlier, future = now_ms() - 60_000, now_ms() + 86_400_000
    served(
        monkeypatch,
        {"member": "urn:li:person:ok1", "closedAt": earlier},
        {"member": "urn:li:person:bad1", "closedAt": future},
    )
    result = check_closed_profiles(integration)
    assert result.counts == {"unmatched": 1, "failed": 1}
    assert result.errors == [f"urn:li:person:bad1: closedAt: {future} is in the future"]
    cursor = SyncCursor.objects.get()
    assert cursor.watermark_ms == earlier
    assert cursor.last_success_at is None and "closedAt" in cursor.last_error
    assert list(ClosedProfile.objects.values_list("person_urn", flat=True)) == ["urn:li:person:ok1"]


def test_another_organizations_member_is_refused(monkeypatch, integration):
    served(
        monkeypatch,
        {
            "member": "urn:li:person:x1",
            "closedAt": now_ms(),
            "integrationContext": "urn:li:organization:1",
        },
    )
    result = check_closed_profiles(integration)
    assert "integrationContext: 'urn:li:organization:1'" in result.errors[0]
    assert not ClosedProfile.objects.exists()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "https://www.linkedin.com/in/" + "x" * 600, "not a url"]
)
def test_a_profile_url_that_is_not_a_web_address_is_not_kept(monkeypatch, integration, url):
    served(monkeypatch, {"member": "urn:li:person:x1", "closedAt": now_ms(), "profileUrl": url})
    assert check_closed_profiles(integration).ok
    assert ClosedProfile.objects.get().profile_url == ""


def test_later_checks_read_from_the_last_closure_with_an_overlap(monkeypatch, integration):
    closed_at = now_ms() - 5000
    fake = served(monkeypatch, {"member": "urn:li:person:x1", "closedAt": closed_at})
    check_closed_profiles(integration)
    check_closed_profiles(integration)
    assert fake.asked == [None, closed_at - closed_profiles.OVERLAP_MS]


def test_no_check_before_onboarding_names_the_organization(wired):
    integration, _ = wired
    integration.organization_urn = ""

    assert not check_closed_profiles(integration).ran
    assert not SyncCursor.objects.filter(stream="closedCandidateProfiles").exists()


def test_every_duplicate_connected_to_the_member_is_cleaned(rsc_sandbox, exported, tara):
    integration, member, person = exported
    twin = services.create_candidate(
        tara, name="Twin", emails=["twin@example.com"], links=[member["profileUrl"]]
    ).candidate
    ProfileConnection.objects.create(
        candidate=twin,
        integration=integration,
        person_urn=person.linkedin_connection.person_urn,
        primary=False,
    )
    close(rsc_sandbox, member)

    assert check_closed_profiles(integration).counts == {"cleaned": 1}

    assert not ProfileConnection.objects.exists()
    assert not CandidateLink.objects.filter(candidate=twin).exists()
    assert ClosedProfile.objects.get().candidate == person
