"""Merging moves everything of the duplicate to the profile kept, in one transaction, and
LinkedIn hears of it through the outbox."""

import pytest
from django.utils import timezone

from hirebridge.hiring import merge as merging
from hirebridge.hiring import services
from hirebridge.hiring.merge import MergeRefused, merge
from hirebridge.hiring.models import (
    Activity,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    Message,
    Note,
    Opportunity,
    StageChange,
)
from hirebridge.hiring.models.records import Verb
from hirebridge.hiring.services import Phone
from hirebridge.linkedin.models import OutboxItem, OutboxKind, ProfileConnection
from tests.factories import PostingFactory, candidate, linkedin_integration


def history(actor, opportunity, label):
    """A note, an email and a stage move on the opportunity."""
    person = opportunity.candidate
    services.add_note(actor, person, f"note on {label}", opportunity=opportunity)
    services.log_message(
        actor,
        person,
        channel="email",
        direction="out",
        sender="tara@example.com",
        sent_at=timezone.now(),
        subject=f"hello {label}",
        opportunity=opportunity,
    )
    services.move_to_stage(actor, opportunity, "lead-reached-out")


@pytest.fixture
def pair(tara, posting):
    """Ada twice, each with an active opportunity on the same posting and a history on it."""
    kept = candidate(
        tara,
        "Ada Lovelace",
        posting=posting,
        emails=["ada@example.com"],
        phones=[Phone("+49 30 1234567")],
        tags=["python"],
    )
    duplicate = candidate(
        tara,
        "Ada King",
        posting=posting,
        emails=["ada@example.com", "ada.king@example.com"],
        phones=[Phone("+49301234567"), Phone("+44 20 7946 0000")],
        links=["https://linkedin.com/in/ada-king"],
        current_company="Analytical Engines",
        tags=["python", "math"],
    )
    history(tara, kept, "kept")
    history(tara, duplicate, "duplicate")
    other_posting = PostingFactory(title="Research", owner=tara)
    elsewhere = services.add_opportunity(tara, duplicate.candidate, posting=other_posting)
    return kept, duplicate, elsewhere


def snapshot():
    return {
        model.__name__: model._default_manager.count()
        for model in (
            Candidate,
            Opportunity,
            Note,
            Message,
            Activity,
            StageChange,
            CandidateEmail,
            CandidatePhone,
            CandidateLink,
            ProfileConnection,
        )
    }


def test_everything_of_the_duplicate_moves_to_the_profile_kept(tara, pair):
    kept, duplicate, elsewhere = pair
    ada, king = kept.candidate, duplicate.candidate
    notes = Note.objects.count()
    messages = Message.objects.count()
    activities = Activity.objects.count()

    survivor = merge(tara, ada, king)

    assert survivor.pk == ada.pk
    assert not Candidate.objects.filter(pk=king.pk).exists()
    assert survivor.notes.count() == notes
    assert survivor.messages.count() == messages
    assert survivor.activities.count() == activities + 1  # the merge itself
    assert list(survivor.emails.values_list("email", flat=True)) == [
        "ada@example.com",  # still the primary one
        "ada.king@example.com",
    ]
    assert sorted(survivor.phones.values_list("value", flat=True)) == [
        "+44 20 7946 0000",
        "+49 30 1234567",
    ]
    assert list(survivor.links.values_list("url", flat=True)) == [
        "https://linkedin.com/in/ada-king"
    ]
    assert set(survivor.tags.values_list("text", flat=True)) == {"python", "math"}
    assert survivor.current_company == "Analytical Engines"  # an empty field is filled
    assert survivor.name == "Ada Lovelace"  # a filled one is not
    assert set(survivor.opportunities.all()) == {kept, elsewhere}


def test_two_active_opportunities_on_one_posting_become_one_with_both_histories(tara, pair):
    kept, duplicate, _ = pair
    merge(tara, kept.candidate, duplicate.candidate)

    assert not Opportunity.objects.filter(pk=duplicate.pk).exists()
    assert set(kept.notes.values_list("body", flat=True)) == {"note on kept", "note on duplicate"}
    assert set(kept.messages.values_list("subject", flat=True)) == {
        "hello kept",
        "hello duplicate",
    }
    assert kept.stage_changes.count() == 4  # each one's start and its move
    assert kept.activities.filter(verb=Verb.STAGE_CHANGED).count() == 2
    assert set(kept.tags.values_list("text", flat=True)) == {"python", "math"}
    kept.refresh_from_db()
    assert kept.stage_id == "lead-reached-out"


def test_the_merge_is_recorded_on_the_survivor(tara, pair):
    kept, duplicate, _ = pair
    king = duplicate.candidate
    merge(tara, kept.candidate, king)
    record = kept.candidate.activities.get(verb=Verb.MERGED)
    assert record.actor == tara
    assert record.detail["merged"] == "Ada King"
    assert record.detail["merged_id"] == str(king.pk)
    assert record.detail["moved"] == {
        "activities": 5,
        "emails": 1,
        "folded_opportunities": 1,
        "links": 1,
        "messages": 1,
        "notes": 1,
        "opportunities": 1,
        "phones": 1,
        "tags": 1,
    }
    assert record.detail["filled"] == ["current_company"]


def test_an_error_midway_leaves_both_profiles_intact(tara, pair, monkeypatch):
    kept, duplicate, _ = pair
    before = snapshot()

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merging, "_move_connection", broken)
    with pytest.raises(RuntimeError):
        merge(tara, kept.candidate, duplicate.candidate)
    assert snapshot() == before
    assert Note.objects.get(body="note on duplicate").candidate_id == duplicate.candidate_id
    assert Opportunity.objects.get(pk=duplicate.pk).candidate_id == duplicate.candidate_id


def test_a_profile_is_not_merged_into_itself(tara, pair):
    kept, _, _ = pair
    with pytest.raises(MergeRefused, match="into itself"):
        merge(tara, kept.candidate, kept.candidate)


@pytest.mark.parametrize("role", ["limited team member", "interviewer"])
def test_roles_below_team_member_may_not_merge(personas, pair, role):
    from hirebridge.accounts.roles import Role

    kept, duplicate, _ = pair
    with pytest.raises(MergeRefused):
        merge(personas[Role(role)], kept.candidate, duplicate.candidate)
    assert Candidate.objects.filter(pk=duplicate.candidate_id).exists()


def test_a_profile_the_actor_may_not_see_is_not_merged(tara, alex):
    secret = PostingFactory(owner=alex, confidential=True)
    ada = candidate(tara, "Ada Lovelace").candidate
    hidden = candidate(alex, "Ada Hidden", posting=secret).candidate
    with pytest.raises(MergeRefused, match="Ada Hidden"):
        merge(tara, ada, hidden)


def connect(person, urn, integration, *, primary=True):
    return ProfileConnection.objects.create(
        candidate=person, integration=integration, person_urn=urn, primary=primary
    )


def test_the_duplicates_connection_moves_when_the_survivor_has_none(tara):
    integration = linkedin_integration()
    ada = candidate(tara, "Ada Lovelace").candidate
    king = candidate(tara, "Ada King").candidate
    connect(king, "urn:li:person:1", integration)
    merge(tara, ada, king)
    connection = ProfileConnection.objects.get()
    assert (connection.candidate_id, connection.primary) == (ada.pk, True)


def test_two_connections_to_one_member_become_one_primary(tara):
    integration = linkedin_integration()
    ada = candidate(tara, "Ada Lovelace").candidate
    king = candidate(tara, "Ada King").candidate
    connect(king, "urn:li:person:1", integration)
    connect(ada, "urn:li:person:1", integration, primary=False)
    merge(tara, ada, king)
    connection = ProfileConnection.objects.get()
    assert (connection.candidate_id, connection.primary) == (ada.pk, True)


def test_a_connection_to_another_member_is_dropped_and_recorded(tara):
    integration = linkedin_integration()
    ada = candidate(tara, "Ada Lovelace").candidate
    king = candidate(tara, "Ada King").candidate
    third = candidate(tara, "Ada Third").candidate
    connect(ada, "urn:li:person:1", integration)
    connect(king, "urn:li:person:2", integration)
    connect(third, "urn:li:person:2", integration, primary=False)
    merge(tara, ada, king)
    assert ProfileConnection.objects.get(candidate=ada).person_urn == "urn:li:person:1"
    assert ProfileConnection.objects.get(candidate=third).primary  # member 2 keeps a primary
    detail = ada.activities.get(verb=Verb.MERGED).detail
    assert detail["dropped_member"] == "urn:li:person:2"


def test_linkedin_hears_of_the_deleted_profile_and_of_what_moved(tara, pair):
    linkedin_integration()
    kept, duplicate, elsewhere = pair
    OutboxItem.objects.all().delete()
    merge(tara, kept.candidate, duplicate.candidate)
    rows = set(OutboxItem.objects.values_list("kind", "entity_id"))
    assert {
        (OutboxKind.CANDIDATE, str(duplicate.candidate_id)),  # deleted
        (OutboxKind.CANDIDATE, str(kept.candidate_id)),
        (OutboxKind.APPLICATION, str(duplicate.pk)),  # folded: deleted
        (OutboxKind.APPLICATION, str(kept.pk)),
        (OutboxKind.APPLICATION, str(elsewhere.pk)),  # moved
    } <= rows
    moved_note = Note.objects.get(body="note on duplicate")
    assert (OutboxKind.APPLICATION_NOTE, str(moved_note.pk)) in rows
